// Resellers of the tenant: search (server side), create (tenant context, resellers RW).
import { api, unwrap } from '../../api/client';
import { allows } from '../../session/acl';
import { EntityListPage } from './EntityPages';
import { ResellerForm } from './ResellerForm';

export default function ResellersPage() {
  return (
    <EntityListPage
      kind="resellers"
      noun="Reseller"
      list={(q, cursor) => unwrap(api.GET('/v1/resellers', { params: { query: { limit: 50, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } }))}
      columns={[
        ['Name', (r) => r.name],
        ['Type', (r) => r.type],
        ['Email', (r) => r.email],
      ]}
      canCreate={(me) => me.context.type === 'TENANT' && allows(me.acl, 'resellers', 'RW')}
      createForm={(_me, close, saved) => <ResellerForm onCancel={close} onSaved={saved} />}
      createdNotice={(id) => `Reseller ${id} is created. Its administrator was invited at its email.`}
    />
  );
}
