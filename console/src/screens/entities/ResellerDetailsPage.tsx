import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Button, Code, Modal, Paper, SimpleGrid, Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { allows } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { EntityUsers } from './EntityUsers';
import { Detail } from './MerchantDetailsPage';
import { ResellerForm } from './ResellerForm';

export default function ResellerDetailsPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  const [editing, setEditing] = useState(false);
  const reseller = useQuery({ queryKey: ['resellers', 'one', id], queryFn: () => unwrap(api.GET('/v1/resellers/{id}', { params: { path: { id } } })) });
  if (reseller.error) return <ErrorAlert error={reseller.error} />;
  if (!reseller.data || !me) return null;
  const r = reseller.data;
  const canEdit = allows(me.acl, 'resellers', 'RW') && me.context.type === 'TENANT';
  return (
    <>
      <PageTitle actions={canEdit && <Button onClick={() => setEditing(true)}>Edit Reseller</Button>}>{r.name}</PageTitle>
      <Anchor component={Link} to="/resellers" size="sm">
        ← Back to resellers
      </Anchor>
      <Tabs defaultValue="details" mt="sm">
        <Tabs.List>
          <Tabs.Tab value="details">Details</Tabs.Tab>
          {allows(me.acl, 'users', 'R') && <Tabs.Tab value="users">Users</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <Paper withBorder p="lg">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Detail label="Reseller ID">
                <Code>{r.id}</Code>
              </Detail>
              <Detail label="Email">{r.email}</Detail>
              <Detail label="Type">{r.type}</Detail>
              <Detail label="Payment gateways">{r.gateways.join(', ') || '—'}</Detail>
              <Detail label="Security">
                <Code block>{JSON.stringify(r.security, null, 2)}</Code>
              </Detail>
            </SimpleGrid>
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <EntityUsers kind="resellers" id={r.id} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit Reseller" size="lg">
        <ResellerForm
          reseller={r}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            notify('The reseller is saved.');
            void queryClient.invalidateQueries({ queryKey: ['resellers'] });
          }}
        />
      </Modal>
    </>
  );
}
