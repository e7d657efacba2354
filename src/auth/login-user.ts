// Loading the user a login names, with the secrets the login needs (they are
// lazy on the entity so ordinary reads never carry them).
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../users/user.entity.ts';

const secrets = ['passwordHash', 'passwordHistory', 'totpSecretEnc', 'recoveryCodes'] as const;

/** Emails are compared case-insensitively (the unique index is on lower(email)). */
export async function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>('select id from users where lower(email) = ?', [email.toLowerCase()]);
  // An unknown address runs the same second query (for an id that cannot
  // exist), so the lookup takes as long either way (finding 11b).
  return findUserWithSecrets(em, rows[0]?.id ?? NO_USER);
}

/** A user id that never exists. */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

export async function findUserWithSecrets(em: EntityManager, id: string): Promise<User | null> {
  return em.findOne(User, id, { populate: [...secrets], refresh: true });
}
