// Lists several screens share: roles (for names and choices) and merchants in
// scope (searched on the server, so 10,000 rows never reach the browser).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Merchant, ModuleInfo, Role } from '../api/types';

export function useRoles() {
  return useQuery({
    queryKey: ['roles', 'all'],
    queryFn: async () => {
      const roles: Role[] = [];
      let cursor: string | undefined;
      // Roles are few per context; follow the cursor to have them all for the pickers.
      for (let page = 0; page < 20; page++) {
        const answer = await unwrap(api.GET('/v1/roles', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
        roles.push(...answer.items);
        if (!answer.nextCursor) break;
        cursor = answer.nextCursor;
      }
      return roles;
    },
  });
}

export function useModules() {
  return useQuery({
    queryKey: ['modules'],
    queryFn: async () => (await unwrap(api.GET('/v1/modules'))).items as ModuleInfo[],
    staleTime: 5 * 60_000,
  });
}

export function useMerchantSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: ['merchants', 'search', q],
    queryFn: async () => (await unwrap(api.GET('/v1/merchants', { params: { query: { limit: 50, ...(q ? { q } : {}) } } }))).items as Merchant[],
    enabled,
    placeholderData: (previous) => previous,
  });
}

export const merchantLabel = (m: Pick<Merchant, 'id' | 'name'>) => `${m.id} — ${m.name}`;
