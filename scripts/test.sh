#!/usr/bin/env bash
# `npm test`: every test. The Rego suite (fmt, strict check, tests with
# coverage) and the wasm build, type checking, lint, vitest against real
# PostgreSQL and Redis, then the fault and soak suite (scripts/test-faults.sh).
# Stops at the first failing stage; ends with one "N passed, N failed" line
# over the Rego, vitest and fault tests.
#   npm test -- <vitest args>   runs only the named vitest files (no fault suite)
#   TEST_SKIP_FAULTS=1 npm test skips the fault suite
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
# The console's browser tests drive Debian's chromium (playwright-core never downloads one);
# on a fresh Debian machine run as root, install it the way .ci/run does.
if ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing chromium (apt-get)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium
fi
rm -f build/vitest.json build/vitest-faults.json
echo "== policies"; bash scripts/build-policy.sh | tee build/.policy-test.log
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json && npx tsc --noEmit -p console/tsconfig.json
echo "== lint"; npx eslint .
echo "== vitest"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json "$@" || status=$?
if [ $status -eq 0 ] && [ $# -eq 0 ] && [ -z "${TEST_SKIP_FAULTS:-}" ]; then
  echo "== faults and soak"
  bash scripts/test-faults.sh || status=$?
fi
node -e '
  const fs = require("fs");
  const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);
  const rego = /PASS: (\d+)\/(\d+)/.exec(fs.readFileSync("build/.policy-test.log", "utf8"));
  const parts = [
    ["rego", rego ? Number(rego[1]) : 0, rego ? Number(rego[2]) - Number(rego[1]) : 0, 0],
    ...[["vitest", "build/vitest.json"], ["faults", "build/vitest-faults.json"]]
      .map(([name, f]) => [name, read(f)])
      .filter(([, v]) => v)
      .map(([name, v]) => [name, v.numPassedTests, v.numFailedTests, v.numPendingTests + v.numTodoTests]),
  ];
  console.log("\n" + parts.map(([n, p, f, s]) => `${n} ${p} passed, ${f} failed, ${s} skipped`).join("; "));
  const sum = (i) => parts.reduce((a, p) => a + p[i], 0);
  console.log(`${sum(1)} passed, ${sum(2)} failed`);
'
exit $status
