// One reseller: its details and users, edited in tenant context.
import { Code } from '@mantine/core';
import { api, unwrap } from '../../api/client';
import { allows } from '../../session/acl';
import { Detail } from '../../ui/Detail';
import { EntityDetailsPage } from './EntityPages';
import { ResellerForm } from './ResellerForm';

export default function ResellerDetailsPage() {
  return (
    <EntityDetailsPage
      kind="resellers"
      noun="Reseller"
      load={(id) => unwrap(api.GET('/v1/resellers/{id}', { params: { path: { id } } }))}
      canEdit={(me) => allows(me.acl, 'resellers', 'RW') && me.context.type === 'TENANT'}
      details={(r) => (
        <>
          <Detail label="Email">{r.email}</Detail>
          <Detail label="Type">{r.type}</Detail>
          <Detail label="Payment gateways">{r.gateways.join(', ') || '—'}</Detail>
          <Detail label="Security">
            <Code block>{JSON.stringify(r.security, null, 2)}</Code>
          </Detail>
        </>
      )}
      editForm={(_me, r, close, saved) => <ResellerForm reseller={r} onCancel={close} onSaved={saved} />}
    />
  );
}
