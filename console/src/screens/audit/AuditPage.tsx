// The audit log (read-only for everyone): filters by actor, target, action and
// dates; each event opens its before/after.
import { useState } from 'react';
import { Button, Code, Group, SimpleGrid, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageTitle } from '../../ui/PageTitle';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';

interface Filters {
  actorId: string;
  targetId: string;
  action: string;
  from: string;
  to: string;
}
const empty: Filters = { actorId: '', targetId: '', action: '', from: '', to: '' };

export default function AuditPage() {
  const [draft, setDraft] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const pages = useCursorPages(JSON.stringify(filters));
  const events = useQuery({
    queryKey: ['audit', filters, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET('/v1/audit-events', {
          params: {
            query: {
              limit: 50,
              ...(filters.actorId ? { actorId: filters.actorId } : {}),
              ...(filters.targetId ? { targetId: filters.targetId } : {}),
              ...(filters.action ? { action: filters.action } : {}),
              ...(filters.from ? { from: new Date(`${filters.from}T00:00:00`).toISOString() } : {}),
              ...(filters.to ? { to: new Date(`${filters.to}T23:59:59.999`).toISOString() } : {}),
              ...(pages.cursor ? { cursor: pages.cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      const value = e.currentTarget.value;
      setDraft((d) => ({ ...d, [key]: value }));
    },
  });

  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft, actorId: draft.actorId.trim(), targetId: draft.targetId.trim(), action: draft.action.trim() });
        }}
      >
        <SimpleGrid cols={{ base: 1, sm: 3, lg: 6 }} mb="md" style={{ alignItems: 'end' }}>
          <TextInput label="Actor ID" {...field('actorId')} />
          <TextInput label="Target ID" {...field('targetId')} />
          <TextInput label="Action" placeholder="user.invite" {...field('action')} />
          <TextInput label="From" type="date" {...field('from')} />
          <TextInput label="To" type="date" {...field('to')} />
          <Group>
            <Button type="submit">Apply filters</Button>
          </Group>
        </SimpleGrid>
      </form>
      <ErrorAlert error={events.error} />
      <Table striped aria-label="Audit events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Before / after</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.data?.items.map((ev) => (
            <Table.Tr key={ev.id}>
              <Table.Td>{new Date(ev.createdAt).toLocaleString()}</Table.Td>
              <Table.Td>{ev.action}</Table.Td>
              <Table.Td>
                <Code>{ev.actorId ?? 'system'}</Code>
                {ev.contextType && (
                  <Text size="xs" c="gray.7">
                    in {ev.contextType} {ev.contextId}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {ev.targetType} <Code>{ev.targetId}</Code>
              </Table.Td>
              <Table.Td>
                <details>
                  <summary>Show changes</summary>
                  <Text size="xs" fw={600}>Before</Text>
                  <Code block>{JSON.stringify(ev.before, null, 2)}</Code>
                  <Text size="xs" fw={600}>After</Text>
                  <Code block>{JSON.stringify(ev.after, null, 2)}</Code>
                </details>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {events.data && events.data.items.length === 0 && <Text mt="md">No event matches these filters.</Text>}
      <CursorPager pages={pages} nextCursor={events.data?.nextCursor ?? null} />
    </>
  );
}
