import { Migration } from '@mikro-orm/migrations';

/**
 * Maker-checker lookups: the expiry sweep reads pending approvals by time
 * across tenants (a partial index stays as small as the queue), and makers
 * list their own requests (GET /v1/approvals?mine=true).
 */
export class Migration20261122200000_approval_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index approvals_pending_expiry on approvals (expires_at) where status = 'PENDING'`);
    this.addSql('create index approvals_maker on approvals (tenant_id, maker_id, created_at)');
  }
}
