#!/usr/bin/env bash
# `npm test`: the Rego suite (fmt, strict check, tests with coverage) and the
# wasm build, then type checking, lint and vitest against real PostgreSQL and
# Redis. Stops at the first failure and shows its output; ends with one
# "N passed, N failed" line counting the Rego and vitest tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== policies"; bash scripts/build-policy.sh | tee build/.policy-test.log
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx eslint .
echo "== vitest"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json "$@" || status=$?
node -e '
  const fs = require("fs");
  const v = JSON.parse(fs.readFileSync("build/vitest.json", "utf8"));
  const rego = /PASS: (\d+)\/(\d+)/.exec(fs.readFileSync("build/.policy-test.log", "utf8"));
  const regoPassed = rego ? Number(rego[1]) : 0;
  const regoFailed = rego ? Number(rego[2]) - Number(rego[1]) : 0;
  console.log(`\nrego ${regoPassed} passed; vitest ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${v.numPendingTests + v.numTodoTests} skipped`);
  console.log(`${regoPassed + v.numPassedTests} passed, ${regoFailed + v.numFailedTests} failed`);
'
exit $status
