import { Migration } from '@mikro-orm/migrations';

/**
 * The change feed (docs/architecture.md#the-change-feed): every change to a
 * row a gateway caches (users, roles, sessions, merchants) issues
 * `pg_notify('authz_changes', '<kind>|<ms>|<id>')` from a trigger, inside the
 * mutation's own transaction. PostgreSQL delivers it to every listening
 * gateway when, and only when, the transaction commits; nothing after COMMIT
 * (the control plane's Redis publish, or the control plane itself) has to
 * survive for a committed change to be heard. Triggers rather than calls in
 * src/: no code path, present or future, can forget to announce a change.
 *
 * Only the columns a principal record projects (core/principal/load.ts) fire
 * an update trigger, so logins, lockout counters and password changes cost
 * nothing. A new session fires nothing: its id exists nowhere before its
 * transaction commits, so no gateway can hold a copy of it. `<ms>` is the
 * trigger's clock (a little before COMMIT), for the propagation metric.
 */
export class Migration20261129200000_authz_change_feed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function authz_change_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('authz_changes', tg_argv[0] || '|' || floor(extract(epoch from clock_timestamp()) * 1000)::bigint || '|'
          || case when tg_op = 'DELETE' then old.id::text else new.id::text end);
        return null;
      end $$`);
    // A merchant that changes reseller changes the user records listing it (their merchantResellers).
    this.addSql(`create function authz_merchant_moved_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('authz_changes', 'user|' || floor(extract(epoch from clock_timestamp()) * 1000)::bigint || '|' || u.id::text)
          from users u where u.tenant_id = new.tenant_id and new.id = any(u.merchants_access);
        return null;
      end $$`);
    // TRUNCATE names no rows: receivers forget everything.
    this.addSql(`create function authz_change_flush_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('authz_changes', '*|' || floor(extract(epoch from clock_timestamp()) * 1000)::bigint || '|');
        return null;
      end $$`);

    const watched: [table: string, kind: string, columns: string, onInsert: boolean][] = [
      ['users', 'user', 'tenant_id, type, reseller_id, merchant_id, role_id, status, merchants_access, product_ids, gateway_ref_ids', true],
      ['roles', 'role', 'tenant_id, enabled, acl', true],
      ['sessions', 'session', 'user_id, revoked_at, expires_at', false],
      ['merchants', 'merchant', 'tenant_id, reseller_id', true],
    ];
    for (const [table, kind, columns, onInsert] of watched) {
      const rows = onInsert ? 'insert or delete' : 'delete';
      this.addSql(`create trigger ${table}_authz_change after ${rows} on ${table}
        for each row execute function authz_change_notify('${kind}')`);
      const old = columns.split(', ').map((c) => `old.${c}`).join(', ');
      const now = columns.split(', ').map((c) => `new.${c}`).join(', ');
      this.addSql(`create trigger ${table}_authz_change_update after update on ${table}
        for each row when ((${old}) is distinct from (${now})) execute function authz_change_notify('${kind}')`);
      this.addSql(`create trigger ${table}_authz_change_truncate after truncate on ${table}
        for each statement execute function authz_change_flush_notify()`);
    }
    this.addSql(`create trigger merchants_authz_moved after update on merchants
      for each row when (old.reseller_id is distinct from new.reseller_id) execute function authz_merchant_moved_notify()`);
  }

  override async down(): Promise<void> {
    for (const table of ['users', 'roles', 'sessions', 'merchants']) {
      for (const suffix of ['', '_update', '_truncate']) this.addSql(`drop trigger if exists ${table}_authz_change${suffix} on ${table}`);
    }
    this.addSql('drop trigger if exists merchants_authz_moved on merchants');
    this.addSql('drop function if exists authz_change_notify(), authz_merchant_moved_notify(), authz_change_flush_notify()');
  }
}
