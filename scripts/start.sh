#!/usr/bin/env bash
# `npm start`: build (dist/ and the policy), migrate, seed the demo tenant,
# then run the demo upstream, the control plane and a gateway as production
# runs them (`node --enable-source-maps dist/...`) until Ctrl-C or SIGTERM.
# Logs are JSON lines; in development (NODE_ENV unset or not "production")
# they go through pino-pretty (a devDependency) to be readable.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/build.sh >/dev/null
bash scripts/dev-env.sh
set -a; . ./.data/dev.env; set +a
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tenant_iam}"
export CONTROL_PLANE_PORT="${CONTROL_PLANE_PORT:-3000}" GATEWAY_PORT="${GATEWAY_PORT:-8080}"
export PUBLIC_URL="${PUBLIC_URL:-http://localhost:$CONTROL_PLANE_PORT}"
export CONTROL_PLANE_URL="${CONTROL_PLANE_URL:-http://127.0.0.1:$CONTROL_PLANE_PORT}"
export GATEWAY_ROUTES="${GATEWAY_ROUTES:-gateway/routes.demo.yaml}"

node --enable-source-maps dist/scripts/ensure-database.js
node --enable-source-maps dist/src/db/migrate.js
node --enable-source-maps dist/scripts/seed-demo.js

pretty=0
if [ "${NODE_ENV:-development}" != production ] && [ -x node_modules/.bin/pino-pretty ]; then pretty=1; fi
pids=()
# Each service is `node` itself (no npm or npx in between; bash execs the
# command of a background job), so $! is the server's own pid and the signal
# below reaches it. Its output goes through pino-pretty by process
# substitution, which ends when node closes stdout.
service() {
  if [ "$pretty" = 1 ]; then
    node --enable-source-maps "$@" > >(exec node_modules/.bin/pino-pretty --colorize --translateTime SYS:HH:MM:ss.l --ignore pid,hostname) &
  else
    node --enable-source-maps "$@" &
  fi
  pids+=($!)
}
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT
service dist/scripts/demo-upstream.js
service dist/src/server.js
service dist/gateway/server.js
sleep 2
cat <<INFO

  Console: http://localhost:$CONTROL_PLANE_PORT/
    log in as admin@demo.example / demo-password-change-me (the demo tenant has 2FA off)

  control plane  http://127.0.0.1:$CONTROL_PLANE_PORT   (API docs: /docs)
  gateway        http://127.0.0.1:$GATEWAY_PORT   (routes: $GATEWAY_ROUTES)
  demo upstream  http://127.0.0.1:${DEMO_UPSTREAM_PORT:-4001}
  mail folder    ${MAIL_URL:-file://.data/mail}

  Log in as the demo tenant admin (see the README for the whole walk-through):
    curl -s localhost:$CONTROL_PLANE_PORT/v1/auth/login -H 'content-type: application/json' \\
      -d '{"email":"admin@demo.example","password":"demo-password-change-me"}'

  Ctrl-C (or SIGTERM to npm or to this script) stops everything.
INFO
# Exit when any service exits, taking the others down with it (the EXIT trap).
wait -n "${pids[@]}"
