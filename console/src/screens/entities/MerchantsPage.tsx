// Merchants the caller reaches: search (server side), create as the context allows.
import { api, unwrap } from '../../api/client';
import { allows } from '../../session/acl';
import { EntityListPage } from './EntityPages';
import { MerchantForm } from './MerchantForm';

export default function MerchantsPage() {
  return (
    <EntityListPage
      kind="merchants"
      noun="Merchant"
      list={(q, cursor) => unwrap(api.GET('/v1/merchants', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } }))}
      columns={[
        ['Name', (m) => m.name],
        ['Reseller', (m) => m.resellerId ?? '—'],
        ['Country', (m) => m.country],
      ]}
      canCreate={(me) => me.context.type !== 'MERCHANT' && allows(me.acl, 'merchants', 'RW')}
      createForm={(me, close, saved) => <MerchantForm me={me} onCancel={close} onSaved={saved} />}
      createdNotice={(id) => `Merchant ${id} is created. Invite its users from the Users screen.`}
    />
  );
}
