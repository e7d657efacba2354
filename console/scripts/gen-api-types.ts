// Writes console/src/api/schema.d.ts from the control plane's own OpenAPI
// document, so the console's API calls are typed by the routes themselves and
// cannot drift from them (test/console-api/api-types.test.ts fails when the
// committed file is not what the routes say). Reads /docs/json of a running
// control plane (CONTROL_PLANE_URL, default http://127.0.0.1:3000).
// Usage: npm run console:types   (with a control plane running)
import { writeFile } from 'node:fs/promises';
import { apiTypes, apiTypesFile } from './api-types.ts';

const base = process.env.CONTROL_PLANE_URL ?? 'http://127.0.0.1:3000';
const response = await fetch(new URL('/docs/json', base));
if (!response.ok) throw new Error(`GET ${base}/docs/json answered ${response.status}`);
await writeFile(apiTypesFile, await apiTypes(await response.json()));
console.log(`wrote ${apiTypesFile.pathname}`);
