// Turning two-factor on for a tenant, reseller or merchant (docs/domain.md#user-lifecycle) must
// not leave password-only sessions running: the users it now covers who have
// not enrolled lose their sessions at once, on every gateway, and enrol at
// their next login. Other settings (password policy, lockout) apply at the
// next login or password change; no gateway caches them, so they need no
// announcement.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../context/service-context.ts';
import { auditActor } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';

/** Users a settings layer governs (security-for.ts: a merchant user carries its merchant's reseller). */
export type MfaLayer = { tenantId: string } | { tenantId: string; resellerId: string } | { tenantId: string; merchantId: string };

export function mfaTurnedOn(before: { mfaRequired?: boolean | undefined } | undefined, after: { mfaRequired?: boolean | undefined } | undefined): boolean {
  return before?.mfaRequired !== true && after?.mfaRequired === true;
}

/** Ends, in the caller's transaction, the sessions of the layer's users without 2FA; announce the ids after commit. */
export async function endSessionsLackingMfa(em: EntityManager, layer: MfaLayer, now: Date): Promise<string[]> {
  const [column, value] =
    'resellerId' in layer ? ['reseller_id', layer.resellerId] : 'merchantId' in layer ? ['merchant_id', layer.merchantId] : ['tenant_id', layer.tenantId];
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `update sessions set revoked_at = ?, revoked_reason = 'mfa_required'
      where revoked_at is null
        and user_id in (select id from users where tenant_id = ? and ${column} = ? and mfa_enrolled = false)
      returning id`,
    [now, layer.tenantId, value],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => r.id);
}

type MfaSetting = { mfaRequired?: boolean | undefined } | undefined;

/**
 * The audit event of an edit to a tenant's, reseller's or merchant's
 * settings, in `tx.em`'s transaction. When the edit turned 2FA on, the
 * sessions of the layer's users without it end first, and the event says how
 * many. Answers their ids: announce them after commit.
 */
export async function recordSettingsEdit(
  tx: ServiceContext,
  edit: { mfa: [before: MfaSetting, after: MfaSetting]; layer: MfaLayer; event: AuditedEdit },
): Promise<string[]> {
  const revoked = mfaTurnedOn(...edit.mfa) ? await endSessionsLackingMfa(tx.em, edit.layer, tx.now()) : [];
  recordAudit(tx.em, auditActor(tx), {
    ...edit.event,
    after: { ...edit.event.after, ...(revoked.length > 0 ? { sessionsEndedForMfa: revoked.length } : {}) },
  });
  return revoked;
}

interface AuditedEdit {
  action: string;
  targetType: string;
  targetId: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}
