// Roles the caller sees, with their active users count (guide 7.6).
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Badge, Button, Group, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageTitle } from '../../ui/PageTitle';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';

export default function RolesPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const pages = useCursorPages(q);
  const roles = useQuery({
    queryKey: ['roles', 'list', q, pages.cursor],
    queryFn: () => unwrap(api.GET('/v1/roles', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const canWrite = me ? allows(me.acl, 'roles', 'RW') : false;
  return (
    <>
      <PageTitle actions={canWrite && <Button onClick={() => void navigate('/roles/new')}>Create New Role</Button>}>Roles</PageTitle>
      <Group mb="md">
        <TextInput label="Search" placeholder="Role name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
      </Group>
      <ErrorAlert error={roles.error} />
      <Table striped highlightOnHover aria-label="Roles">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role name</Table.Th>
            <Table.Th>Assignable to</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Active users</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roles.data?.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Anchor component={Link} to={`/roles/${r.id}`}>
                  {r.name}
                </Anchor>
                {r.system && (
                  <Badge ml="xs" variant="filled" color="gray.7">
                    built-in
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{r.scope}</Table.Td>
              <Table.Td>{r.enabled ? 'Enabled' : 'Disabled'}</Table.Td>
              <Table.Td>{r.activeUsersCount}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <CursorPager pages={pages} nextCursor={roles.data?.nextCursor ?? null} />
    </>
  );
}
