import { useSyncExternalStore } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapAs } from '../api/client';
import type { Me } from '../api/types';
import { sessionStore } from './session';

export const useSession = () => useSyncExternalStore(sessionStore.subscribe, sessionStore.snapshot);

/** The caller: user, context and effective ACL (GET /v1/me); reloaded after a switch. */
export function useMe() {
  const session = useSession();
  return useQuery({
    queryKey: ['me'],
    queryFn: () => unwrapAs<Me>(api.GET('/v1/me')),
    enabled: session.status === 'authenticated',
    staleTime: 60_000,
  });
}
