// One Fastify plugin per capability, each in its own folder. Add new ones here.
import type { FastifyPluginAsync } from 'fastify';
import { approvalsRoutes } from '../approvals/routes.ts';
import { authenticationRoutes } from './authentication-routes.ts';
import { auditRoutes } from '../audit/routes.ts';
import { merchantsRoutes } from '../merchants/routes.ts';
import { merchantUpdateRoutes } from '../merchants/update-route.ts';
import { modulesRoutes } from '../modules/routes.ts';
import { resellersRoutes } from '../resellers/routes.ts';
import { resellerUpdateRoutes } from '../resellers/update-route.ts';
import { rolesRoutes } from '../roles/routes.ts';
import { tenantsRoutes } from '../tenants/routes.ts';
import { userAccessRoutes } from '../users/access-routes.ts';
import { userLifecycleRoutes } from '../users/lifecycle-routes.ts';
import { usersRoutes } from '../users/routes.ts';

// Administration (docs/domain.md): every route authenticates, then asks the policy.
const administrationRoutes: FastifyPluginAsync[] = [
  tenantsRoutes,
  resellersRoutes,
  resellerUpdateRoutes,
  merchantsRoutes,
  merchantUpdateRoutes,
  usersRoutes,
  userAccessRoutes,
  userLifecycleRoutes,
  rolesRoutes,
  modulesRoutes,
  auditRoutes,
];

export const capabilityRoutes: FastifyPluginAsync[] = [authenticationRoutes, ...administrationRoutes, approvalsRoutes];
