// Resellers of the tenant: search (server side), create (tenant context, resellers RW).
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Button, Modal, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { CursorPager, useCursorPages } from '../../ui/CursorPager';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { ResellerForm } from './ResellerForm';

export default function ResellersPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const pages = useCursorPages(q);
  const resellers = useQuery({
    queryKey: ['resellers', 'list', q, pages.cursor],
    queryFn: () => unwrap(api.GET('/v1/resellers', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const canCreate = me ? me.context.type === 'TENANT' && allows(me.acl, 'resellers', 'RW') : false;

  return (
    <>
      <PageTitle actions={canCreate && <Button onClick={() => setCreating(true)}>Create Reseller</Button>}>Resellers</PageTitle>
      <TextInput label="Search" placeholder="Reseller ID or name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} mb="md" />
      <ErrorAlert error={resellers.error} />
      <Table striped highlightOnHover aria-label="Resellers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Reseller ID</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Email</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {resellers.data?.items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor component={Link} to={`/resellers/${encodeURIComponent(m.id)}`}>
                  {m.id}
                </Anchor>
              </Table.Td>
              <Table.Td>{m.name}</Table.Td>
              <Table.Td>{m.type}</Table.Td>
              <Table.Td>{m.email}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {resellers.data && resellers.data.items.length === 0 && <Text mt="md">No reseller matches.</Text>}
      <CursorPager pages={pages} nextCursor={resellers.data?.nextCursor ?? null} />
      {canCreate && (
        <Modal opened={creating} onClose={() => setCreating(false)} title="Create Reseller" size="lg">
          <ResellerForm
            onCancel={() => setCreating(false)}
            onSaved={(m) => {
              void queryClient.invalidateQueries({ queryKey: ['resellers'] });
              notify(`Merchant ${m.id} is created. Its administrator was invited at its email.`);
              void navigate(`/resellers/${encodeURIComponent(m.id)}`);
            }}
          />
        </Modal>
      )}
    </>
  );
}
