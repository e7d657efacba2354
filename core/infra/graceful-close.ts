// Both services stop the same way on SIGINT, SIGTERM or an uncaught error:
// say why, stop taking requests and let those in flight finish (10 s at
// most, close-with-grace's delay), then close their own connections.
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export function closeGracefully(app: FastifyInstance, closeDeps: () => Promise<void>, skip: closeWithGrace.AllEvents[] = []): void {
  closeWithGrace({ delay: 10_000, skip }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'shutting down after error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await closeDeps();
  });
}
