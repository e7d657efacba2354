import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config/env.ts';
import type { PolicyEngine } from '../src/policy/engine.ts';
import type { GatewayRoute } from './route-table.ts';

export interface GatewayDeps {
  config: Config;
  orm: MikroORM;
  redis: Redis;
  policy: PolicyEngine;
  routes: GatewayRoute[];
}
