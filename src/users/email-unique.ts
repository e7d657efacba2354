// Emails and entity ids are unique across the installation, not per tenant:
// login takes only an email, and merchant and reseller ids are global keys
// (the gateway's x-merchant-id, merchant access lists). So a value another
// tenant holds cannot be given out again. What the refusal may not do is say
// anything about who holds it (finding 11c): the answer is the same 409
// CONFLICT with the same neutral message whether the holder is in the
// caller's tenant or another one, names no user, tenant or object, and is
// decided by the same single query either way.
import type { EntityManager } from '@mikro-orm/postgresql';

export const EMAIL_UNAVAILABLE = 'this email address cannot be used; choose another';
export const ID_UNAVAILABLE = 'this id cannot be used; choose another';

/** Whether any user of the installation has this address (compared lower-cased, as the unique index does). */
export async function emailTaken(em: EntityManager, email: string): Promise<boolean> {
  const rows = await em.getConnection().execute<{ n: number }[]>(
    'select 1 as n from users where lower(email) = ? limit 1',
    [email.toLowerCase()],
    'all',
    em.getTransactionContext(),
  );
  return rows.length > 0;
}
