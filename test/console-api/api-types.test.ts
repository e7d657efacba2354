// The console is typed by the control plane's routes (console/src/api/schema.d.ts,
// generated from its OpenAPI document): a route whose schema changed without
// `npm run console:types` would leave the console compiling against an API
// that no longer exists.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { apiTypes, apiTypesFile } from '../../console/scripts/api-types.ts';
import { useControlPlane } from '../support/control-plane.ts';

const cp = useControlPlane();

describe('console API types', () => {
  it('console/src/api/schema.d.ts is what the routes say (else: npm run console:types)', async () => {
    const res = await cp.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const committed = await readFile(apiTypesFile, 'utf8');
    expect(committed === (await apiTypes(res.json())), 'schema.d.ts differs from the routes: run npm run console:types with a control plane running').toBe(true);
  });
});
