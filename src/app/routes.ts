// One Fastify plugin per capability, each in its own folder. Add new ones here.
import type { FastifyPluginAsync } from 'fastify';
import { authenticationRoutes } from '../auth/plugin.ts';

export const capabilityRoutes: FastifyPluginAsync[] = [authenticationRoutes];
