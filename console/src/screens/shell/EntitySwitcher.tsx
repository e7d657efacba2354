// The entity switcher of the guides: "<Tenant|Reseller|Merchant> View …" opens a
// searchable list of GET /v1/auth/contexts; a switch issues new tokens for that
// context, drops every cached answer of the old one and says so.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Badge, Button, Group, Loader, Modal, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import type { ContextChoice, Me } from '../../api/types';
import { startSession, type ContextType } from '../../session/session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';

const viewName: Record<ContextType, string> = { TENANT: 'Tenant View', RESELLER: 'Reseller View', MERCHANT: 'Merchant View' };

function useContextName(me: Me): string | undefined {
  const { type, id } = me.context;
  const found = useQuery({
    queryKey: ['context-name', type, id],
    queryFn: async () => {
      const page = await unwrap(api.GET('/v1/auth/contexts', { params: { query: { q: id, limit: 20 } } }));
      return page.items.find((c) => c.type === type && c.id === id)?.name ?? null;
    },
    staleTime: Infinity,
  });
  return found.data ?? undefined;
}

export function EntitySwitcher({ me }: { me: Me }) {
  const [opened, setOpened] = useState(false);
  const name = useContextName(me);
  const { type, id } = me.context;
  // The guide: "Merchant View with merchant ID", "Tenant View with tenant name".
  const label = type === 'TENANT' ? `${viewName[type]} ${name ?? id}` : `${viewName[type]} ${id}${name && name !== id ? ` (${name})` : ''}`;
  return (
    <>
      <Button variant="outline" onClick={() => setOpened(true)} aria-haspopup="dialog">
        {label}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Switch entity" size="lg">
        {opened && <ContextList me={me} onSwitched={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

function ContextList({ me, onSwitched }: { me: Me; onSwitched: () => void }) {
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const contexts = useInfiniteQuery({
    queryKey: ['contexts', q],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/v1/auth/contexts', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const switchTo = useMutation({
    mutationFn: (c: ContextChoice) => unwrap(api.POST('/v1/auth/switch', { body: { type: c.type, id: c.id } })),
    onSuccess: async (answer) => {
      startSession(answer);
      onSwitched();
      // Every screen reloads for the new context: nothing of the old one is kept.
      await queryClient.resetQueries();
      notify(`Switched to ${answer.context.type} Successfully!`);
      await navigate('/', { replace: true });
    },
  });
  const items = contexts.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <TextInput label="Search entities" placeholder="ID or name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} data-autofocus />
      <ErrorAlert error={contexts.error ?? switchTo.error} />
      <ScrollArea.Autosize mah={360}>
        <Stack gap={4} role="list" aria-label="Entities you can switch to">
          {items.map((c) => {
            const current = c.type === me.context.type && c.id === me.context.id;
            return (
              <div role="listitem" key={`${c.type}:${c.id}`}>
                <UnstyledButton
                  w="100%"
                  p="xs"
                  disabled={current || switchTo.isPending}
                  aria-current={current ? 'true' : undefined}
                  onClick={() => switchTo.mutate(c)}
                  style={{ borderRadius: 4, border: '1px solid var(--mantine-color-gray-3)' }}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <div>
                      <Text fw={600}>{c.id}</Text>
                      <Text size="sm" c="gray.7">
                        {c.name}
                      </Text>
                    </div>
                    <Badge variant="filled" color={current ? 'teal.9' : 'blue.8'}>
                      {current ? `${c.type} (current)` : c.type}
                    </Badge>
                  </Group>
                </UnstyledButton>
              </div>
            );
          })}
          {contexts.isFetching && <Loader size="sm" aria-label="Loading entities" />}
          {!contexts.isFetching && items.length === 0 && <Text>No entity matches this search.</Text>}
        </Stack>
      </ScrollArea.Autosize>
      {contexts.hasNextPage && (
        <Button variant="default" onClick={() => void contexts.fetchNextPage()}>
          Load more
        </Button>
      )}
    </Stack>
  );
}
