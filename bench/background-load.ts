// Steady load in a process of its own (see background() in lib/load.ts):
// autocannon at a fixed rate until SIGTERM, then its totals as one JSON line.
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2] ?? '{}') as { url: string; connections: number; rate: number; headers: Record<string, string>; maxSec: number };
const instance = autocannon(
  { url: o.url, connections: o.connections, overallRate: o.rate, headers: o.headers, duration: o.maxSec },
  (err, r) => {
    if (err) throw err;
    console.log(JSON.stringify({ requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts }));
  },
);
process.once('SIGTERM', () => instance.stop());
