#!/usr/bin/env bash
# `npm start`: build the policy and (when its sources changed) the console,
# migrate, seed the demo tenant, then run the demo upstream, the control plane
# (serving the console at /) and a gateway until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/build-policy.sh >/dev/null
# The console is rebuilt only when a file under console/ is newer than its build.
if [ ! -f console/dist/index.html ] || [ -n "$(find console \( -path console/dist -o -path console/node_modules \) -prune -o -type f -newer console/dist/index.html -print -quit)" ]; then
  echo "building the console…"
  npm run --silent build:console >/dev/null
fi
bash scripts/dev-env.sh
set -a; . ./.data/dev.env; set +a
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tenant_iam}"
export CONTROL_PLANE_PORT="${CONTROL_PLANE_PORT:-3000}" GATEWAY_PORT="${GATEWAY_PORT:-8080}"
export PUBLIC_URL="${PUBLIC_URL:-http://localhost:$CONTROL_PLANE_PORT}"
export CONTROL_PLANE_URL="${CONTROL_PLANE_URL:-http://127.0.0.1:$CONTROL_PLANE_PORT}"
export GATEWAY_ROUTES="${GATEWAY_ROUTES:-gateway/routes.demo.yaml}"

npx tsx scripts/ensure-database.ts
npx tsx src/db/migrate.ts
npx tsx scripts/seed-demo.ts

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
npx tsx scripts/demo-upstream.ts & pids+=($!)
npx tsx src/server.ts & pids+=($!)
npx tsx gateway/server.ts & pids+=($!)
sleep 2
cat <<INFO

  Console: http://localhost:$CONTROL_PLANE_PORT/
    log in as admin@demo.example / demo-password-change-me (the demo tenant has 2FA off)

  control plane  http://127.0.0.1:$CONTROL_PLANE_PORT   (API docs: /docs)
  gateway        http://127.0.0.1:$GATEWAY_PORT   (routes: $GATEWAY_ROUTES)
  demo upstream  http://127.0.0.1:4001
  mail folder    ${MAIL_URL:-file://.data/mail}

  Log in as the demo tenant admin (see the README for the whole walk-through):
    curl -s localhost:$CONTROL_PLANE_PORT/v1/auth/login -H 'content-type: application/json' \\
      -d '{"email":"admin@demo.example","password":"demo-password-change-me"}'

  Ctrl-C stops everything.
INFO
# Exit when any service exits, taking the others down with it.
wait -n "${pids[@]}"
