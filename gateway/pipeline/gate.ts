// The decision, as an onRequest hook of the proxy route (before any body is
// read), in five steps (steps.ts): target → token → principal → decide →
// admit. Each returns its value or a Refusal, which the gate answers in the
// error shape and stops. Only an explicit allow sets `request.admission`;
// the proxy handler forwards nothing without it. An allowed write on one of
// a route's approval methods is then held for a checker, never forwarded.
//
// Steps answer synchronously when everything is cached (the hot path): the
// gate awaits only what is a promise.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../deps.ts';
import type { StageTimer } from '../ops/stage-timing.ts';
import { Refusal, refuse } from './refusal.ts';
import { gatewaySteps, type Steps } from './steps.ts';
import { timedSteps } from './timing.ts';

export type Gate = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

const noApprovals = new Refusal(503, 'UNAVAILABLE', 'approvals are not available on this gateway');

function through(steps: Steps, deps: GatewayDeps): Gate {
  return async function gate(request, reply) {
    const started = performance.now();
    const target = steps.target(request);
    if (target instanceof Refusal) return refuse(reply, target);

    let claims = steps.token(request.headers.authorization);
    if (claims instanceof Promise) claims = await claims;
    if (claims instanceof Refusal) return refuse(reply, claims);

    let principal = steps.principal(request, target, claims);
    if (principal instanceof Promise) principal = await principal;
    if (principal instanceof Refusal) return refuse(reply, principal);

    let decision = steps.decide(target, claims, principal);
    if (decision instanceof Promise) decision = await decision;
    if (decision instanceof Refusal) return refuse(reply, decision);

    const admission = steps.admit(request, target, decision, started);
    if (admission instanceof Refusal) return refuse(reply, admission);
    request.admission = admission;

    // Maker-checker (gateway/approvals/hold.ts): the write is held for a checker,
    // never forwarded; without a hook such a write is refused, not forwarded.
    if (target.route.approvalMethods.has(request.method)) {
      if (deps.approvals === null) return refuse(reply, noApprovals);
      if (await deps.approvals(request, reply)) return reply;
    }
    return undefined;
  };
}

export function createGate(deps: GatewayDeps): Gate {
  const steps = gatewaySteps(deps);
  const plain = through(steps, deps);
  // Benchmark only (ops/stage-timing.ts): deps.stages is switched at run time,
  // so it is read per request; the timed gate is built once per timer.
  let timed: { timer: StageTimer; gate: Gate } | null = null;
  return function gate(request, reply) {
    const timer = deps.stages;
    if (timer === null) return plain(request, reply);
    if (timed === null || timed.timer !== timer) timed = { timer, gate: through(timedSteps(steps, timer), deps) };
    return timed.gate(request, reply);
  };
}
