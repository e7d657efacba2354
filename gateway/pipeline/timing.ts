// Per-step timing for the benchmark (ops/stage-timing.ts), as wrappers around
// the steps: the steps themselves carry no timing code, and a gateway that is
// not being measured runs the unwrapped steps (gate.ts). A step that answers
// with a promise is timed until the promise settles.
import type { Stage, StageTimer } from '../ops/stage-timing.ts';
import type { Steps } from './steps.ts';

function timed<A extends unknown[], R>(step: (...args: A) => R, timer: StageTimer, stage: Stage): (...args: A) => R {
  return (...args) => {
    const t0 = process.hrtime.bigint();
    const out = step(...args);
    if (out instanceof Promise) {
      return out.finally(() => timer.add(stage, process.hrtime.bigint() - t0)) as R;
    }
    timer.add(stage, process.hrtime.bigint() - t0);
    return out;
  };
}

/** The steps, each timed as its stage: token → verify, principal → resolve, decide → decide; target and admit → gate only. */
export function timedSteps(steps: Steps, timer: StageTimer): Steps {
  const first = steps.target;
  const last = steps.admit;
  return {
    // The whole gate runs from the target step to the admission (a request
    // the pipeline refuses earlier is not counted).
    target: first,
    token: timed(steps.token, timer, 'verify'),
    principal: timed(steps.principal, timer, 'resolve'),
    decide: timed(steps.decide, timer, 'decide'),
    admit: (request, target, decision, started) => {
      const out = last(request, target, decision, started);
      timer.add('gate', BigInt(Math.round((performance.now() - started) * 1e6)));
      return out;
    },
  };
}
