// Validation of a role's ACL before it is created, edited, cloned, enabled or
// assigned. The catalogue is data; ceilings, separation of duties and
// escalation are decided by the policy (`authz/role_check`).
import { Type } from '@sinclair/typebox';
import { ApiError, badRequest, forbidden } from '../../core/http/errors.ts';
import type { Asker } from '../auth/authorize.ts';
import { catalogueSet } from '../modules/catalogue.ts';
import type { Acl } from './role.entity.ts';

export const LevelSchema = Type.Union([Type.Literal('NA'), Type.Literal('R'), Type.Literal('RW'), Type.Literal('CHECKER')]);

/** `{module: level}`; `"*"` stands for every module the ACL does not name (system roles use it). */
export const AclSchema = Type.Record(Type.String({ pattern: '^(\\*|[a-z][a-z0-9_]{0,62})$' }), LevelSchema, { maxProperties: 200, additionalProperties: false });

function roleCheck(ctx: Asker, acl: Acl) {
  return ctx.deps.policy.roleCheck({ acl, actor_acl: ctx.actor.principal.role.acl });
}

/** Every rule for an ACL a request supplies: known modules, ceilings, SoD pairs, no escalation. */
export function checkAcl(ctx: Asker, acl: Acl): void {
  const { policy, config } = ctx.deps;
  const known = catalogueSet(policy, config);
  const unknown = Object.keys(acl).filter((m) => m !== '*' && !known.has(m));
  if (unknown.length > 0) throw badRequest(`unknown modules: ${unknown.join(', ')} (see GET /v1/modules)`, { modules: unknown });
  const r = roleCheck(ctx, acl);
  if (r.over_ceiling.length > 0) {
    throw forbidden('FORBIDDEN', `nobody may grant these modules above their ceiling: ${r.over_ceiling.join(', ')}`, { modules: r.over_ceiling });
  }
  if (r.sod_violations.length > 0) {
    throw new ApiError(422, 'SOD_VIOLATION', `the ACL holds both sides of: ${r.sod_violations.join(', ')}`, { pairs: r.sod_violations });
  }
  throwOnEscalation(r.escalations);
  // Anything but the policy's explicit allow is a refusal (e.g. a malformed ACL).
  if (r.allow !== true) throw forbidden('FORBIDDEN', 'the policy does not allow this ACL');
}

/** Only the escalation rule: for a role that exists already (assigned, enabled, edited, deleted). */
export function checkWithinActor(ctx: Asker, acl: Acl): void {
  throwOnEscalation(roleCheck(ctx, acl).escalations);
}

function throwOnEscalation(modules: string[]): void {
  if (modules.length > 0) {
    throw forbidden('PRIVILEGE_ESCALATION', `the role grants more than you hold on: ${modules.join(', ')}`, { modules });
  }
}
