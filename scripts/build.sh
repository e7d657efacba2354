#!/usr/bin/env bash
# `npm run build`: everything production runs, compiled.
#   dist/      the control plane, the gateway, the CLI, the migrations and the
#              demo scripts as JavaScript with source maps (tsconfig.build.json);
#              files the code reads next to itself (*.txt) copied beside them
#   console    `npm run build:console` when the project has one
#   build/policy  the wasm bundle (needs the OPA CLI; --no-policy skips it,
#              as the image does, whose bundle comes from its own OPA stage)
#   --out=DIR  compile into DIR instead of dist/ (inside the checkout, so that
#              node_modules and package.json's "type" apply; the packaging test)
#   --no-console  skip the console build
set -euo pipefail
cd "$(dirname "$0")/.."
policy=1 console=1 out=dist
for arg in "$@"; do
  case "$arg" in
    --no-policy) policy=0 ;;
    --no-console) console=0 ;;
    --out=?*) out="${arg#--out=}" ;;
    *) echo "build: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# It is removed first: only a folder inside the checkout.
case "$out" in /* | *..* | . | '') echo "build: --out must be a folder inside the checkout" >&2; exit 2 ;; esac
rm -rf "$out"
npx tsc -p tsconfig.build.json --outDir "$out"
# Data files loaded with `new URL('./x', import.meta.url)` must sit beside the compiled module.
for dir in src core gateway; do
  find "$dir" -name '*.txt' -exec install -D -m 0644 {} "$out/{}" \;
done
if [ "$console" = 1 ] && node -e 'process.exit(require("./package.json").scripts?.["build:console"] ? 0 : 1)'; then
  npm run -s build:console
fi
if [ "$policy" = 1 ]; then bash scripts/build-policy.sh; fi
echo "build: $out/ ready ($(node -p process.version))"
