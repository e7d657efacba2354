// The Users tab of a reseller or merchant (guide 4.2 method 2, 5.2 method I).
import { Link } from 'react-router';
import { Anchor, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { StatusBadge } from '../users/StatusBadge';

export function EntityUsers({ kind, id }: { kind: 'merchants' | 'resellers'; id: string }) {
  const pages = useCursorPages(`${kind}:${id}`);
  const users = useQuery({
    queryKey: ['users', kind, id, pages.cursor],
    queryFn: () => {
      const query = { limit: 50, ...(pages.cursor ? { cursor: pages.cursor } : {}) };
      return unwrap(
        kind === 'merchants'
          ? api.GET('/v1/merchants/{id}/users', { params: { path: { id }, query } })
          : api.GET('/v1/resellers/{id}/users', { params: { path: { id }, query } }),
      );
    },
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <ErrorAlert error={users.error} />
      <Table striped aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data?.items.map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>
                <Anchor component={Link} to={`/users/${u.id}`}>
                  {u.email}
                </Anchor>
              </Table.Td>
              <Table.Td>{u.type}</Table.Td>
              <Table.Td>
                <StatusBadge user={u} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {users.data && users.data.items.length === 0 && <Text mt="md">No user has access here yet.</Text>}
      <CursorPager pages={pages} nextCursor={users.data?.nextCursor ?? null} />
    </>
  );
}
