// Migrations are listed explicitly so they run the same under tsx, in tests
// and in a bundled build, with no filesystem globbing.
import { Migration20261122000000_initial } from './Migration20261122000000_initial.ts';
import { Migration20261122100000_totp_last_step } from './Migration20261122100000_totp_last_step.ts';
import { Migration20261122200000_approval_indexes } from './Migration20261122200000_approval_indexes.ts';
import { Migration20261129000000_audit_client_request_id } from './Migration20261129000000_audit_client_request_id.ts';
import { Migration20261129000100_hard_delete_tenant_admin_only } from './Migration20261129000100_hard_delete_tenant_admin_only.ts';
import { Migration20261129200000_authz_change_feed } from './Migration20261129200000_authz_change_feed.ts';

export const migrationsList = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
  { name: 'Migration20261122100000_totp_last_step', class: Migration20261122100000_totp_last_step },
  { name: 'Migration20261122200000_approval_indexes', class: Migration20261122200000_approval_indexes },
  { name: 'Migration20261129000000_audit_client_request_id', class: Migration20261129000000_audit_client_request_id },
  { name: 'Migration20261129000100_hard_delete_tenant_admin_only', class: Migration20261129000100_hard_delete_tenant_admin_only },
  { name: 'Migration20261129200000_authz_change_feed', class: Migration20261129200000_authz_change_feed },
];
