// Users in scope: server-side search, filters and cursor pagination, so the
// list stays fast with 10,000 users in a tenant.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { User } from '../../api/types';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { merchantLabel, useMerchantSearch, useRoles } from '../../data/lookups';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageTitle } from '../../ui/PageTitle';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';
import { StatusBadge } from './StatusBadge';

const statuses = ['INVITED', 'ACTIVE', 'DISABLED', 'SOFT_DEL'] as const;
const types = ['TENANT', 'RESELLER', 'MERCHANT'] as const;
const PAGE = 25;

export default function UsersPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<User['status'] | null>(null);
  const [roleId, setRoleId] = useState<string | null>(null);
  const [type, setType] = useState<User['type'] | null>(null);
  const [merchantId, setMerchantId] = useState<string | null>(null);
  const [merchantSearch, setMerchantSearch] = useState('');
  const [mq] = useDebouncedValue(merchantSearch, 250);
  const roles = useRoles();
  const merchants = useMerchantSearch(mq, me?.context.type !== 'MERCHANT');
  const filters = { q, status, roleId, type, merchantId };
  const pages = useCursorPages(JSON.stringify(filters));

  const users = useQuery({
    queryKey: ['users', filters, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET('/v1/users', {
          params: {
            query: {
              limit: PAGE,
              ...(q ? { q } : {}),
              ...(status ? { status } : {}),
              ...(roleId ? { roleId } : {}),
              ...(type ? { type } : {}),
              ...(merchantId ? { merchantId } : {}),
              ...(pages.cursor ? { cursor: pages.cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const roleName = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
  const canInvite = me ? allows(me.acl, 'users', 'RW') : false;

  return (
    <>
      <PageTitle actions={canInvite && <Button onClick={() => void navigate('/users/invite')}>Invite New User</Button>}>Users</PageTitle>
      <Group align="end" mb="md" wrap="wrap">
        <TextInput label="Search" placeholder="Email" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={240} />
        <Select label="Status" placeholder="Any" clearable data={[...statuses]} value={status} onChange={(v) => setStatus(v)} w={150} />
        <Select
          label="Role"
          placeholder="Any"
          clearable
          searchable
          data={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={roleId}
          onChange={setRoleId}
          w={200}
        />
        <Select label="Type" placeholder="Any" clearable data={[...types]} value={type} onChange={(v) => setType(v)} w={150} />
        {me?.context.type !== 'MERCHANT' && (
          <Select
            label="Merchant"
            placeholder="Any"
            clearable
            searchable
            searchValue={merchantSearch}
            onSearchChange={setMerchantSearch}
            data={(merchants.data ?? []).map((m) => ({ value: m.id, label: merchantLabel(m) }))}
            value={merchantId}
            onChange={setMerchantId}
            filter={({ options }) => options}
            w={240}
          />
        )}
      </Group>
      <ErrorAlert error={users.error} />
      <Table striped highlightOnHover aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>2FA</Table.Th>
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
              <Table.Td>{roleName.get(u.roleId) ?? u.roleId}</Table.Td>
              <Table.Td>
                <StatusBadge user={u} />
              </Table.Td>
              <Table.Td>{u.mfaEnrolled ? 'Enrolled' : 'Not enrolled'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {users.data && users.data.items.length === 0 && <Text mt="md">No user matches these filters.</Text>}
      <CursorPager pages={pages} nextCursor={users.data?.nextCursor ?? null} />
      {users.isFetching && <Text mt="xs" size="sm">Loading…</Text>}
    </>
  );
}
