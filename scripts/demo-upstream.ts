// The demo downstream service of `npm start`: echoes what it receives,
// including the identity headers the gateway adds, so a person can see them.
import Fastify from 'fastify';

const port = Number(process.env['DEMO_UPSTREAM_PORT'] ?? 4001);
const app = Fastify({ logger: false });
app.all('/*', async (request) => ({
  service: 'demo-upstream',
  method: request.method,
  url: request.url,
  identity: Object.fromEntries(Object.entries(request.headers).filter(([k]) => k.startsWith('x-auth-'))),
  body: request.body ?? null,
}));
await app.listen({ host: process.env['HOST'] ?? '127.0.0.1', port });
console.log(`demo upstream listening on http://127.0.0.1:${port}`);
