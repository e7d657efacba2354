// Pending approvals expire after APPROVAL_TTL_HOURS: on read (the routes
// expire what is due before answering) and by this periodic sweep, so the
// audit log shows `approval.expired` even for requests nobody looks at.
// Any number of control planes may sweep at once (rows are skip-locked).
import type { FastifyInstance } from 'fastify';
import { expireDue } from './store.ts';

const BATCH = 500;

export function scheduleExpirySweep(app: FastifyInstance): void {
  const { deps } = app;
  const every = deps.config.APPROVAL_SWEEP_SECONDS;
  if (every === 0) return;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const sweep = async () => {
    try {
      while ((await expireDue(deps.orm.em.fork(), deps.now())) === BATCH);
    } catch (err) {
      app.log.warn({ err }, 'approval expiry sweep failed; the next one retries');
    }
  };

  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      running ??= sweep().finally(() => (running = null));
    }, every * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });
}
