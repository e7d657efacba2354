import { Migration } from '@mikro-orm/migrations';

/**
 * The audit event's request_id is the server's own id (finding 12); the id a
 * client or load balancer sent in X-Request-Id is kept apart, for correlation
 * only, so it can never pose as or collide with a server id.
 */
export class Migration20261129000000_audit_client_request_id extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table audit_events add column client_request_id varchar(128) null');
  }
}
