// Configuration (2): a bare Fastify proxy with no authentication, built with
// the same proxy library and pool settings as the gateway.
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
import { pauseRoutes } from './lib/pauses.ts';

const upstream = process.env['UPSTREAM_URL'] ?? 'http://127.0.0.1:4001';
const port = Number(process.env['PORT'] ?? 0);
const app = Fastify({ logger: false });
await app.register(replyFrom, { base: upstream, undici: { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 } });
app.all('/*', (request, reply) => reply.from(request.url));
// Bench-only: event-loop delay and GC pauses (bench/lib/pauses.ts), as the benchmark's gateways have.
pauseRoutes(app);
const address = await app.listen({ host: '127.0.0.1', port });
console.log(`listening ${new URL(address).port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
