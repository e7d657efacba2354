// The user an administrative security action targets: the caller needs
// `users.update` in its context, the target must be in its scope (404
// otherwise), and a merchant user's merchant must be within its access.
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../core/http/errors.ts';
import { loadMerchantRecord } from '../../core/principal/load.ts';
import { emRows } from '../db/rows.ts';
import { findUserInScope } from '../users/scope.ts';
import type { User } from '../users/user.entity.ts';
import { authorize } from './authorize.ts';

export async function userToUpdate(request: FastifyRequest, id: string, opts: { notSelf?: boolean } = {}): Promise<User> {
  authorize(request, 'users.update');
  const target = await findUserInScope(request, id);
  if (target.merchantId) {
    const merchant = await loadMerchantRecord(emRows(request.em), target.merchantId);
    if (merchant) authorize(request, 'users.update', merchant);
  }
  if (opts.notSelf && target.id === request.actor.user.id) {
    throw forbidden('SELF_MODIFICATION', 'you cannot do this to your own account');
  }
  return target;
}
