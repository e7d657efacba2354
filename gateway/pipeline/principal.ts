// Step 3, principal: who is asking (user, role, session records from the
// principal cache) and about what (the merchant, product and gateway
// reference the request names, where its route says they are; the named
// merchant's record). 400 when those ids are ambiguous, 401 when the token's
// user no longer exists or belongs to another tenant, 503 when the records
// cannot be read (never a guess). Synchronous when every record is cached.
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';
import type { PrincipalCache } from '../principal/cache.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import { Refusal } from './refusal.ts';
import { AMBIGUOUS, requestFacts, type RequestFacts } from './request-facts.ts';
import { locate, UNREADABLE } from './request-target.ts';
import type { Target } from './target.ts';

export interface Principal {
  user: UserRecord;
  session: SessionRecord | null;
  role: RoleRecord | null;
  merchant: MerchantRecordCached | null;
  /** The merchant id the request names ("" for none). */
  named: string;
  product: string;
  gatewayRef: string;
  /** The request facts the route's policyInput asks for (request-facts.ts); null for a route without it. */
  facts: RequestFacts | null;
}

/** Merchant ids are chosen by their creator from this alphabet; anything else cannot exist (and is not looked up). */
const merchantIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_ID_LENGTH = 128;

const ambiguous = new Refusal(400, 'VALIDATION_FAILED', 'the merchant, product or gateway reference of the request is ambiguous');
const ambiguousFacts = new Refusal(400, 'VALIDATION_FAILED', 'the path, query or a header the policy reads is ambiguous');
const noPrincipal = new Refusal(401, 'UNAUTHENTICATED', 'invalid session');
const unavailable = new Refusal(503, 'UNAVAILABLE', 'authorization data is unavailable; try again');

type Maybe<T> = T | Promise<T>;

export function principalResolver(principals: PrincipalCache, log: Logger) {
  function failed(err: unknown): Refusal {
    log.error({ err }, 'principal resolution failed');
    return unavailable;
  }

  /** The rest once some record had to be loaded. */
  async function loaded(
    claims: GatewayClaims, u: Maybe<UserRecord | null>, s: Maybe<SessionRecord | null>, m: Maybe<MerchantRecordCached | null>,
    named: string, product: string, gatewayRef: string, facts: RequestFacts | null,
  ): Promise<Principal | Refusal> {
    try {
      const [user, session, merchant] = await Promise.all([u, s, m]);
      if (user === null || user.tenantId !== claims.tid) return noPrincipal;
      const role = await principals.role(user.roleId);
      return { user, session, role, merchant, named, product, gatewayRef, facts };
    } catch (err) {
      return failed(err);
    }
  }

  return function resolvePrincipal(request: FastifyRequest, target: Target, claims: GatewayClaims): Maybe<Principal | Refusal> {
    const { route, path } = target;
    const named = locate(route.merchant, request, route, path);
    const product = locate(route.product, request, route, path);
    const gatewayRef = locate(route.gatewayRef, request, route, path);
    if (named === UNREADABLE || product === UNREADABLE || gatewayRef === UNREADABLE
      || named.length > MAX_ID_LENGTH || product.length > MAX_ID_LENGTH || gatewayRef.length > MAX_ID_LENGTH) {
      return ambiguous;
    }
    // Only routes with policyInput pay for facts.
    const facts = route.requestFacts === null ? null : requestFacts(route.requestFacts, request, path);
    if (facts === AMBIGUOUS) return ambiguousFacts;
    // In MERCHANT context the merchant is the context's own (a different named one is denied by the policy).
    const effectiveMerchant = claims.ctx_type === 'MERCHANT' ? claims.ctx_id : named;
    try {
      const u = principals.user(claims.sub);
      const s = principals.session(claims.sid);
      const m = effectiveMerchant !== '' && merchantIdPattern.test(effectiveMerchant) ? principals.merchant(effectiveMerchant) : null;
      if (u instanceof Promise || s instanceof Promise || m instanceof Promise) return loaded(claims, u, s, m, named, product, gatewayRef, facts);
      // A user that no longer exists, or a token whose tenant is not the user's: not a principal at all.
      if (u === null || u.tenantId !== claims.tid) return noPrincipal;
      const role = principals.role(u.roleId);
      if (role instanceof Promise) {
        return role.then((r) => ({ user: u, session: s, role: r, merchant: m, named, product, gatewayRef, facts }), failed);
      }
      return { user: u, session: s, role, merchant: m, named, product, gatewayRef, facts };
    } catch (err) {
      return failed(err);
    }
  };
}
