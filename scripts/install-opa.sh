#!/usr/bin/env bash
# Installs the pinned OPA CLI into .tools/bin from its Go module, once.
# The version is pinned because the wasm ABI and the builtins our capabilities
# file allows must match what @open-policy-agent/opa-wasm implements.
set -euo pipefail
OPA_VERSION="${OPA_VERSION:-v1.22.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
opa="$bin/opa"

# Read the version first: piping into `grep -q` can SIGPIPE opa, which
# pipefail would take for a missing install.
if [ -x "$opa" ] && [[ "$("$opa" version 2>/dev/null || true)" == *"Version: ${OPA_VERSION#v}"* ]]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-opa: Go is not installed; it is needed to build the OPA CLI ${OPA_VERSION}." >&2
  echo "install-opa: install Go (https://go.dev/dl) or put an OPA ${OPA_VERSION} binary at $opa." >&2
  exit 1
fi
mkdir -p "$bin"
echo "install-opa: building OPA ${OPA_VERSION} with $(go version | cut -d' ' -f3) (takes a minute or two, once)" >&2
GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/open-policy-agent/opa@${OPA_VERSION}"
# Not `| head -1`: head closing the pipe early can SIGPIPE opa, and pipefail would fail the install.
version="$("$opa" version)"
echo "${version%%$'\n'*}" >&2
