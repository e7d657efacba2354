// The pipeline's five steps as one value, so the gate runs them in order and
// the benchmark can wrap each with a timer (timing.ts) without the steps
// knowing. Each step returns its value, a Refusal, or — only when something
// had to be fetched — a promise of either.
import type { GatewayDeps } from '../deps.ts';
import { DecisionMemo } from '../policy/decision-memo.ts';
import { admitter } from './admit.ts';
import { decisionMaker } from './decide.ts';
import { principalResolver } from './principal.ts';
import { RouteMatcher } from './request-target.ts';
import { findTarget } from './target.ts';
import { verifyToken } from './token.ts';
import type { FastifyRequest } from 'fastify';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import type { Admission } from './admit.ts';
import type { Decision } from './decide.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { Target } from './target.ts';

type Step<A extends unknown[], T> = (...args: A) => T | Refusal | Promise<T | Refusal>;

export interface Steps {
  target: (request: FastifyRequest) => Target | Refusal;
  token: Step<[authorization: string | undefined], GatewayClaims>;
  principal: Step<[request: FastifyRequest, target: Target, claims: GatewayClaims], Principal>;
  decide: Step<[target: Target, claims: GatewayClaims, principal: Principal], Decision>;
  admit: (request: FastifyRequest, target: Target, decision: Decision, started: number) => Admission | Refusal;
}

export function gatewaySteps(deps: GatewayDeps): Steps {
  const matcher = new RouteMatcher(deps.routes);
  const { tokens } = deps;
  return {
    target: (request) => findTarget(matcher, request),
    token: (authorization) => verifyToken(tokens, authorization),
    principal: principalResolver(deps.principals, deps.log),
    decide: decisionMaker({
      policy: deps.policy,
      decider: deps.decider,
      memo: deps.config.GATEWAY_DECISION_MEMO ? new DecisionMemo() : null,
      metrics: deps.metrics,
      log: deps.log,
    }),
    admit: admitter(deps.metrics, deps.decisions, deps.shadow),
  };
}
