import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessClaims } from '../auth/claims.ts';
import type { ContextInput, PrincipalInput } from '../../core/policy/types.ts';
import type { RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';
import type { ControlPlaneDeps } from './deps.ts';

/** The authenticated caller of a control-plane request. */
export interface Actor {
  claims: AccessClaims;
  user: UserRecord;
  role: RoleRecord | null;
  session: SessionRecord;
  context: ContextInput;
  principal: PrincipalInput;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ControlPlaneDeps;
  }
  interface FastifyRequest {
    /** A fresh entity manager per request: no identity map is shared between requests. */
    em: EntityManager;
    /** Set by the `authenticate` hook; routes without it never read it. */
    actor: Actor;
    /** X-Request-Id as the client sent it (bounded, printable), or null: never the request's id. */
    clientRequestId: string | null;
  }
}
