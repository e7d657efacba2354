import { Migration } from '@mikro-orm/migrations';

/**
 * The whole administration model; every row carries its tenant. Foreign keys
 * are checked at commit (deferred): the ORM holds ids, not relations, so its
 * insert order within a transaction is free.
 */
export class Migration20261122000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table tenants (
      id text primary key check (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
      name text not null,
      security jsonb not null default '{}',
      approvals jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version integer not null default 1)`);

    this.addSql(`create table resellers (
      id text primary key check (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
      tenant_id text not null references tenants(id) on delete cascade deferrable initially deferred,
      name text not null,
      email text not null,
      type text not null,
      security jsonb not null default '{}',
      gateways text[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version integer not null default 1,
      unique (tenant_id, id))`);

    this.addSql(`create table merchants (
      id text primary key check (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
      tenant_id text not null references tenants(id) on delete cascade deferrable initially deferred,
      reseller_id text,
      name text not null,
      email text not null,
      country text not null,
      settings jsonb not null default '{}',
      platforms text[] not null default '{}',
      products text[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version integer not null default 1,
      -- a merchant's reseller is always of the merchant's own tenant
      foreign key (tenant_id, reseller_id) references resellers(tenant_id, id) deferrable initially deferred)`);
    this.addSql(`create index merchants_tenant_reseller on merchants (tenant_id, reseller_id)`);
    this.addSql(`create index merchants_name_search on merchants (tenant_id, lower(name) text_pattern_ops)`);

    this.addSql(`create table roles (
      id uuid primary key,
      tenant_id text not null references tenants(id) on delete cascade deferrable initially deferred,
      name text not null,
      description text not null default '',
      scope text not null check (scope in ('TENANT','RESELLER','MERCHANT')),
      owner_type text not null check (owner_type in ('TENANT','RESELLER','MERCHANT')),
      owner_id text not null,
      acl jsonb not null default '{}',
      enabled boolean not null default true,
      system boolean not null default false,
      require_mfa boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version integer not null default 1,
      unique (tenant_id, owner_type, owner_id, name))`);

    this.addSql(`create table users (
      id uuid primary key,
      tenant_id text not null references tenants(id) on delete cascade deferrable initially deferred,
      email text not null,
      type text not null check (type in ('TENANT','RESELLER','MERCHANT')),
      reseller_id text references resellers(id) deferrable initially deferred,
      merchant_id text references merchants(id) deferrable initially deferred,
      role_id uuid not null references roles(id) deferrable initially deferred,
      merchants_access text[] not null default '{}',
      product_ids text[] not null default '{}',
      gateway_ref_ids text[] not null default '{}',
      status text not null check (status in ('INVITED','ACTIVE','DISABLED','SOFT_DEL')),
      password_hash text,
      password_history text[] not null default '{}',
      password_changed_at timestamptz,
      mfa_enrolled boolean not null default false,
      totp_secret_enc text,
      recovery_codes text[] not null default '{}',
      locked_until timestamptz,
      created_by_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version integer not null default 1,
      check ((type = 'RESELLER') = (reseller_id is not null and merchant_id is null) or type <> 'RESELLER'),
      check ((type = 'MERCHANT') = (merchant_id is not null) or type <> 'MERCHANT'))`);
    // Login takes an email and no tenant, so an address names one user everywhere.
    this.addSql(`create unique index users_email_unique on users (lower(email))`);
    this.addSql(`create index users_tenant_created on users (tenant_id, created_at, id)`);
    this.addSql(`create index users_role on users (role_id) where status = 'ACTIVE'`);
    this.addSql(`create index users_reseller on users (reseller_id) where reseller_id is not null`);
    this.addSql(`create index users_merchant on users (merchant_id) where merchant_id is not null`);

    this.addSql(`create table sessions (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade deferrable initially deferred,
      tenant_id text not null,
      context_type text not null,
      context_id text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      revoked_reason text)`);
    this.addSql(`create index sessions_user_live on sessions (user_id) where revoked_at is null`);

    this.addSql(`create table refresh_tokens (
      token_hash text primary key,
      session_id uuid not null references sessions(id) on delete cascade deferrable initially deferred,
      created_at timestamptz not null default now(),
      rotated_at timestamptz)`);
    this.addSql(`create index refresh_tokens_session on refresh_tokens (session_id)`);

    this.addSql(`create table one_time_tokens (
      id uuid primary key,
      kind text not null,
      user_id uuid not null references users(id) on delete cascade deferrable initially deferred,
      token_hash text not null unique,
      payload jsonb not null default '{}',
      expires_at timestamptz not null,
      used_at timestamptz,
      voided_at timestamptz,
      created_at timestamptz not null default now())`);
    this.addSql(`create index one_time_tokens_user on one_time_tokens (user_id, kind)`);

    // Audit events outlive the users they name (hard delete keeps history), so no FKs.
    this.addSql(`create table audit_events (
      id uuid primary key,
      tenant_id text not null,
      actor_id uuid,
      context_type text,
      context_id text,
      action text not null,
      target_type text not null,
      target_id text not null,
      before jsonb,
      after jsonb,
      request_id text,
      created_at timestamptz not null default now())`);
    this.addSql(`create index audit_events_tenant_time on audit_events (tenant_id, created_at desc, id desc)`);
    this.addSql(`create index audit_events_target on audit_events (tenant_id, target_id)`);
    this.addSql(`create index audit_events_actor on audit_events (tenant_id, actor_id)`);

    this.addSql(`create table approvals (
      id uuid primary key,
      tenant_id text not null references tenants(id) on delete cascade deferrable initially deferred,
      kind text not null check (kind in ('GATEWAY','CONTROL_PLANE')),
      module text not null,
      merchant_id text,
      maker_id uuid not null,
      maker_context_type text not null,
      maker_context_id text not null,
      request jsonb not null,
      status text not null,
      checker_id uuid,
      reason text,
      result jsonb,
      expires_at timestamptz not null,
      decided_at timestamptz,
      created_at timestamptz not null default now(),
      version integer not null default 1)`);
    this.addSql(`create index approvals_tenant_status on approvals (tenant_id, status, created_at)`);
  }
}
