// One Fastify plugin per capability, each in its own folder. Add new ones here.
import type { FastifyPluginAsync } from 'fastify';

export const capabilityRoutes: FastifyPluginAsync[] = [];
