// A merchant access being granted (on invite and on update), docs/domain.md#merchant-access:
// a merchant user has exactly its own merchant, so a list is invalid; for
// others every listed merchant must exist and be reachable by the actor (and,
// for a reseller user, be under its reseller), and `[]` (all) may be granted
// only by an actor that itself reaches all. The policy decides the last two.
import type { ServiceContext } from '../context/service-context.ts';
import { authorizeWith } from '../auth/authorize.ts';
import { badRequest, forbidden } from '../../core/http/errors.ts';
import { merchantRecords } from '../merchants/queries.ts';
import { targetUserFact, type TargetUser } from './target-fact.ts';

export type GrantTarget = TargetUser;

export async function checkMerchantGrant(
  tx: ServiceContext,
  operation: string,
  target: GrantTarget,
  merchantIds: string[],
): Promise<void> {
  if (target.type === 'MERCHANT') {
    if (merchantIds.length > 0) throw badRequest('a merchant user has exactly its own merchant: merchantsAccess must be empty');
    return;
  }
  const merchants = await merchantRecords(tx.em, merchantIds);
  // One that does not exist is refused like one out of scope: ids are global, existence is not told.
  if (merchants.length !== merchantIds.length) throw forbidden('MERCHANT_OUT_OF_SCOPE', 'merchant is outside your merchant access');
  authorizeWith(tx, operation, { target: await targetUserFact(tx.em, target), merchants });
}
