// A TOTP code is accepted once (RFC 6238 §5.2). The last accepted step is
// checked and written by one conditional UPDATE: of two concurrent requests
// with the same code, PostgreSQL's row lock lets exactly one match.
import type { EntityManager } from '@mikro-orm/postgresql';

/** True if `step` is newer than every step this user has used; it is then recorded. */
export async function claimStep(em: EntityManager, userId: string, step: number): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    'update users set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?) returning id',
    [step, userId, step],
    'all',
    em.getTransactionContext(),
  );
  return rows.length === 1;
}
