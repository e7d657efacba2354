# One image for every service of the product; docker-compose.yml picks the command.
FROM golang:1.26-bookworm AS opa
RUN GOBIN=/out go install github.com/open-policy-agent/opa@v1.22.2

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY --from=opa /out/opa /app/.tools/bin/opa
COPY . .
RUN bash scripts/build-policy.sh
ENV HOST=0.0.0.0 NODE_ENV=production
USER node
CMD ["npx", "tsx", "src/server.ts"]
