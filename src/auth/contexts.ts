// Contexts a user may enter (docs/domain.md#contexts): a tenant user its tenant, the
// resellers and merchants it can access; a reseller user its reseller and the
// merchants it can access under it; a merchant user only its own merchant.
// Listed merchant access narrows merchants (and, for a tenant user, the
// resellers to those that own a listed merchant).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ContextType } from '../roles/role.entity.ts';
import type { User } from '../users/user.entity.ts';

export interface ContextRef {
  type: ContextType;
  id: string;
}

export interface ContextItem extends ContextRef {
  name: string;
}

type ContextSubject = Pick<User, 'type' | 'tenantId' | 'resellerId' | 'merchantId' | 'merchantsAccess'>;

export function homeContext(user: Pick<User, 'type' | 'tenantId' | 'resellerId' | 'merchantId'>): ContextRef {
  if (user.type === 'RESELLER') return { type: 'RESELLER', id: user.resellerId! };
  if (user.type === 'MERCHANT') return { type: 'MERCHANT', id: user.merchantId! };
  return { type: 'TENANT', id: user.tenantId };
}

const rank: Record<ContextType, number> = { TENANT: 0, RESELLER: 1, MERCHANT: 2 };

/** The SQL (and bindings) of every context the user may enter, as rows (rank, type, id, name). */
function contextsSql(user: ContextSubject): { sql: string; params: unknown[] } {
  const listed = JSON.stringify(user.merchantsAccess);
  const anyMerchant = user.merchantsAccess.length === 0;
  const parts: string[] = [];
  const params: unknown[] = [];
  if (user.type === 'TENANT') {
    parts.push(`select 0 as rank, 'TENANT' as type, t.id, t.name from tenants t where t.id = ?`);
    params.push(user.tenantId);
    parts.push(
      `select 1, 'RESELLER', r.id, r.name from resellers r where r.tenant_id = ?` +
        (anyMerchant
          ? ''
          : ` and exists (select 1 from merchants m2 where m2.tenant_id = r.tenant_id and m2.reseller_id = r.id
                and m2.id in (select jsonb_array_elements_text(?::jsonb)))`),
    );
    params.push(user.tenantId, ...(anyMerchant ? [] : [listed]));
    parts.push(
      `select 2, 'MERCHANT', m.id, m.name from merchants m where m.tenant_id = ?` +
        (anyMerchant ? '' : ` and m.id in (select jsonb_array_elements_text(?::jsonb))`),
    );
    params.push(user.tenantId, ...(anyMerchant ? [] : [listed]));
  } else if (user.type === 'RESELLER') {
    parts.push(`select 1 as rank, 'RESELLER' as type, r.id, r.name from resellers r where r.tenant_id = ? and r.id = ?`);
    params.push(user.tenantId, user.resellerId);
    parts.push(
      `select 2, 'MERCHANT', m.id, m.name from merchants m where m.tenant_id = ? and m.reseller_id = ?` +
        (anyMerchant ? '' : ` and m.id in (select jsonb_array_elements_text(?::jsonb))`),
    );
    params.push(user.tenantId, user.resellerId, ...(anyMerchant ? [] : [listed]));
  } else {
    parts.push(`select 2 as rank, 'MERCHANT' as type, m.id, m.name from merchants m where m.tenant_id = ? and m.id = ?`);
    params.push(user.tenantId, user.merchantId);
  }
  return { sql: parts.join(' union all '), params };
}

/** One page of contexts, ordered tenant, resellers, merchants (each by id), filtered by `q` on id or name. */
export async function listContexts(
  em: EntityManager,
  user: ContextSubject,
  opts: { q?: string; after?: ContextRef; limit: number },
): Promise<{ items: ContextItem[]; next: ContextRef | null }> {
  const base = contextsSql(user);
  const where: string[] = [];
  const params = [...base.params];
  if (opts.q) {
    const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(lower(c.name) like ? or lower(c.id) like ?)`);
    params.push(like, like);
  }
  if (opts.after) {
    where.push(`(c.rank, c.id) > (?, ?)`);
    params.push(rank[opts.after.type], opts.after.id);
  }
  params.push(opts.limit + 1);
  const rows = await em.getConnection().execute<{ type: ContextType; id: string; name: string }[]>(
    `select c.type, c.id, c.name from (${base.sql}) c ${where.length ? `where ${where.join(' and ')}` : ''}
      order by c.rank, c.id limit ?`,
    params,
  );
  const items = rows.slice(0, opts.limit).map((r) => ({ type: r.type, id: r.id, name: r.name }));
  const last = items[items.length - 1];
  return { items, next: rows.length > opts.limit && last ? { type: last.type, id: last.id } : null };
}

/** The named context if the user may enter it, else null. */
export async function findPermittedContext(em: EntityManager, user: ContextSubject, target: ContextRef): Promise<ContextItem | null> {
  const base = contextsSql(user);
  const rows = await em.getConnection().execute<{ type: ContextType; id: string; name: string }[]>(
    `select c.type, c.id, c.name from (${base.sql}) c where c.type = ? and c.id = ?`,
    [...base.params, target.type, target.id],
  );
  const r = rows[0];
  return r ? { type: r.type, id: r.id, name: r.name } : null;
}
