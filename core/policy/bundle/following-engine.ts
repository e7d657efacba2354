// The control plane's routes hold `deps.policy` (a PolicyEngine) and call it
// directly in a dozen places. With a bundle server the engine in force changes
// at run time, so they get this stand-in: every member read goes to the engine
// active at that moment, each evaluation runs on one whole bundle, and none
// of those call sites had to change.
import type { PolicyEngine } from '../engine.ts';
import type { ActivePolicy } from './active-policy.ts';

export function followingEngine(active: ActivePolicy): PolicyEngine {
  return new Proxy(Object.create(null) as PolicyEngine, {
    get(_target, key) {
      const engine = active.engine;
      const value: unknown = Reflect.get(engine, key, engine);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(engine) : value;
    },
    has: (_target, key) => Reflect.has(active.engine, key),
  });
}
