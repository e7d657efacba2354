import { Migration } from '@mikro-orm/migrations';

/**
 * Hard delete is the guides' "special ACL permission" (docs/domain.md#roles): only the
 * Tenant Admin system role holds user_hard_delete by default. Tenants created
 * before gave it to Reseller Admin and Merchant Admin too; take it back, as
 * src/roles/system-roles.ts now does for new tenants. Gateways reload roles
 * within their cache TTL.
 */
export class Migration20261129000100_hard_delete_tenant_admin_only extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update roles set acl = jsonb_set(acl, '{user_hard_delete}', '"NA"'), version = version + 1
      where system and scope in ('RESELLER', 'MERCHANT') and acl->>'user_hard_delete' = 'RW'`);
  }
}
