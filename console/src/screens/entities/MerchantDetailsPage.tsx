// One merchant: its details and users, edited as the context allows.
import { Code } from '@mantine/core';
import { api, unwrap } from '../../api/client';
import { allows } from '../../session/acl';
import { Detail } from '../../ui/Detail';
import { EntityDetailsPage } from './EntityPages';
import { MerchantForm } from './MerchantForm';

export default function MerchantDetailsPage() {
  return (
    <EntityDetailsPage
      kind="merchants"
      noun="Merchant"
      load={(id) => unwrap(api.GET('/v1/merchants/{id}', { params: { path: { id } } }))}
      canEdit={(me) => allows(me.acl, 'merchants', 'RW') && me.context.type !== 'MERCHANT'}
      details={(m) => (
        <>
          <Detail label="Email">{m.email}</Detail>
          <Detail label="Country">{m.country}</Detail>
          <Detail label="Reseller">{m.resellerId ?? 'None (tenant merchant)'}</Detail>
          <Detail label="Platforms">{m.platforms.join(', ') || '—'}</Detail>
          <Detail label="Products">{m.products.join(', ') || '—'}</Detail>
          <Detail label="Settings">
            <Code block>{JSON.stringify(m.settings, null, 2)}</Code>
          </Detail>
        </>
      )}
      editForm={(me, m, close, saved) => <MerchantForm me={me} merchant={m} onCancel={close} onSaved={saved} />}
    />
  );
}
