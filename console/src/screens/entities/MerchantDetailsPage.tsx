import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Button, Code, Modal, Paper, SimpleGrid, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { EntityUsers } from './EntityUsers';
import { MerchantForm } from './MerchantForm';

export default function MerchantDetailsPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  const [editing, setEditing] = useState(false);
  const merchant = useQuery({ queryKey: ['merchants', 'one', id], queryFn: () => unwrap(api.GET('/v1/merchants/{id}', { params: { path: { id } } })) });
  if (merchant.error) return <ErrorAlert error={merchant.error} />;
  if (!merchant.data || !me) return null;
  const m = merchant.data;
  const canEdit = allows(me.acl, 'merchants', 'RW') && me.context.type !== 'MERCHANT';
  return (
    <>
      <PageTitle actions={canEdit && <Button onClick={() => setEditing(true)}>Edit Merchant</Button>}>{m.name}</PageTitle>
      <Anchor component={Link} to="/merchants" size="sm">
        ← Back to merchants
      </Anchor>
      <Tabs defaultValue="details" mt="sm">
        <Tabs.List>
          <Tabs.Tab value="details">Details</Tabs.Tab>
          {allows(me.acl, 'users', 'R') && <Tabs.Tab value="users">Users</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <Paper withBorder p="lg">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Detail label="Merchant ID">
                <Code>{m.id}</Code>
              </Detail>
              <Detail label="Email">{m.email}</Detail>
              <Detail label="Country">{m.country}</Detail>
              <Detail label="Reseller">{m.resellerId ?? 'None (tenant merchant)'}</Detail>
              <Detail label="Platforms">{m.platforms.join(', ') || '—'}</Detail>
              <Detail label="Products">{m.products.join(', ') || '—'}</Detail>
              <Detail label="Settings">
                <Code block>{JSON.stringify(m.settings, null, 2)}</Code>
              </Detail>
            </SimpleGrid>
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <EntityUsers kind="merchants" id={m.id} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit Merchant" size="lg">
        <MerchantForm
          me={me}
          merchant={m}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            notify('The merchant is saved.');
            void queryClient.invalidateQueries({ queryKey: ['merchants'] });
          }}
        />
      </Modal>
    </>
  );
}

export function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" c="gray.7">
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}
