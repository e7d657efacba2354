// One undici keep-alive pool per upstream origin of the route table, shared
// by every route to it. Timeouts come from GATEWAY_UPSTREAM_TIMEOUT_MS;
// certificates are checked (an upstream over TLS must present a valid one).
import { Pool } from 'undici';
import type { GatewayRoute } from '../../core/routes/route-table.ts';

export interface Upstream {
  pool: Pool;
  /** The `Host` an upstream request carries. */
  host: string;
}

export class Upstreams {
  private readonly byOrigin = new Map<string, Upstream>();
  private readonly byRoute = new Map<GatewayRoute, Upstream>();

  constructor(routes: readonly GatewayRoute[], timeoutMs: number) {
    for (const route of routes) {
      const url = new URL(route.upstream);
      let upstream = this.byOrigin.get(url.origin);
      if (upstream === undefined) {
        const pool = new Pool(url.origin, {
          connections: 128,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connectTimeout: Math.min(timeoutMs, 5000),
          connect: { rejectUnauthorized: true },
        });
        upstream = { pool, host: url.host };
        this.byOrigin.set(url.origin, upstream);
      }
      this.byRoute.set(route, upstream);
    }
  }

  of(route: GatewayRoute): Upstream {
    return this.byRoute.get(route)!;
  }

  /** Ends every pool's connections (in-flight requests fail; the server has stopped taking new ones). */
  async close(): Promise<void> {
    await Promise.all([...this.byOrigin.values()].map((u) => u.pool.destroy()));
  }
}
