import { inject } from 'vitest';
import { loadGatewayConfig, type GatewayConfig } from '../../gateway/config.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';

/** The control plane's configuration of this test run (global-setup.ts), with per-test overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...inject('env'), ...overrides });
}

/** A gateway's configuration of this test run, with per-test overrides. */
export function testGatewayConfig(overrides: Record<string, string> = {}): GatewayConfig {
  return loadGatewayConfig({ ...inject('env'), ...overrides });
}

export function testEnv(): Record<string, string> {
  return { ...inject('env') };
}
