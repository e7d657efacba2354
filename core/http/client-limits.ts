// What every listening service allows a client, so one slow or greedy client
// cannot hold connections or memory (OWASP ASVS 4.0.3 V13.1.x, ASVS 5.0 V4.1;
// OWASP API Security Top 10 2023 API4, unrestricted resource consumption):
// the headers within HTTP_HEADERS_TIMEOUT_MS, the whole request (headers and
// body) within HTTP_REQUEST_TIMEOUT_MS, then the connection is cut (408 when
// nothing was answered yet). Body sizes are each service's own (the control
// plane's JSON bodyLimit, the gateway's GATEWAY_BODY_LIMIT_BYTES).
import type { BaseConfig } from '../config/base.ts';

export function clientTimeouts(config: Pick<BaseConfig, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>) {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, requestTimeout);
  return {
    requestTimeout,
    http: {
      headersTimeout,
      // Node checks both timeouts on a timer, every 30 s by default: checked this
      // often, a client is cut within a fraction of its limit instead of up to 30 s late.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
  };
}
