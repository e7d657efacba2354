import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/env.ts';

/** The configuration of this test run (global-setup.ts), with per-test overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...inject('env'), ...overrides });
}

export function testEnv(): Record<string, string> {
  return { ...inject('env') };
}
