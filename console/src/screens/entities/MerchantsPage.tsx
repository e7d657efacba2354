// Merchants the caller reaches: search (server side), create as the context allows.
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
import { MerchantForm } from './MerchantForm';

export default function MerchantsPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const pages = useCursorPages(q);
  const merchants = useQuery({
    queryKey: ['merchants', 'list', q, pages.cursor],
    queryFn: () => unwrap(api.GET('/v1/merchants', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const canCreate = me ? me.context.type !== 'MERCHANT' && allows(me.acl, 'merchants', 'RW') : false;

  return (
    <>
      <PageTitle actions={canCreate && <Button onClick={() => setCreating(true)}>Create Merchant</Button>}>Merchants</PageTitle>
      <TextInput label="Search" placeholder="Merchant ID or name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} mb="md" />
      <ErrorAlert error={merchants.error} />
      <Table striped highlightOnHover aria-label="Merchants">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Merchant ID</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Reseller</Table.Th>
            <Table.Th>Country</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {merchants.data?.items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor component={Link} to={`/merchants/${encodeURIComponent(m.id)}`}>
                  {m.id}
                </Anchor>
              </Table.Td>
              <Table.Td>{m.name}</Table.Td>
              <Table.Td>{m.resellerId ?? '—'}</Table.Td>
              <Table.Td>{m.country}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {merchants.data && merchants.data.items.length === 0 && <Text mt="md">No merchant matches.</Text>}
      <CursorPager pages={pages} nextCursor={merchants.data?.nextCursor ?? null} />
      {me && (
        <Modal opened={creating} onClose={() => setCreating(false)} title="Create Merchant" size="lg">
          <MerchantForm
            me={me}
            onCancel={() => setCreating(false)}
            onSaved={(m) => {
              void queryClient.invalidateQueries({ queryKey: ['merchants'] });
              notify(`Merchant ${m.id} is created. Invite its users from the Users screen.`);
              void navigate(`/merchants/${encodeURIComponent(m.id)}`);
            }}
          />
        </Modal>
      )}
    </>
  );
}
