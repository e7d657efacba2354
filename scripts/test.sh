#!/usr/bin/env bash
# `npm test`: the Rego suite (fmt, strict check, tests with coverage) and the
# wasm build, then type checking, lint and vitest against real PostgreSQL and
# Redis. Stops at the first failure and shows its output.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== policies"; bash scripts/build-policy.sh
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx eslint .
echo "== vitest"; npx vitest run "$@"
