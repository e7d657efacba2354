#!/usr/bin/env bash
# Checks, tests and compiles policies/ into the wasm bundle both services load.
#   --test-only   fmt + check + tests with coverage, no build
# policies/examples (example rules for security teams, README) is checked and
# tested with the rest but never built into the bundle.
# Output: build/policy/{bundle.tar.gz,policy.wasm,data.json,.manifest}
# POLICY_SIGNING_KEY=<private key PEM file> signs bundle.tar.gz (opa build
# --signing-key: .signatures.json inside), with POLICY_SIGNING_ALG (RS256 by
# default); services verify it with POLICY_BUNDLE_VERIFICATION_KEY.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install-opa.sh
opa="$root/.tools/bin/opa"
min_coverage="${POLICY_MIN_COVERAGE:-90}"

unformatted="$("$opa" fmt --list policies)"
if [ -n "$unformatted" ]; then
  echo "policy: not formatted (run: $opa fmt -w policies):" >&2
  echo "$unformatted" >&2
  exit 1
fi
# policies/schemas holds JSON Schemas, not data: never loaded into the bundle.
"$opa" check --strict --ignore schemas policies
# Every input reference is type-checked against the entry points' input
# schemas (policies/schemas): a rule reading a field that no input has, or
# misspelling one, fails the build.
bash scripts/check-policy-schema.sh policies

# opa test exits non-zero on failures and prints them; the coverage run only
# reports, so the threshold is checked from its JSON.
# A generous per-run timeout: the machine may be shared, and a timeout is not a failure of the policy.
"$opa" test --timeout 120s --ignore schemas policies
coverage="$("$opa" test --timeout 120s --ignore schemas policies --coverage | node -e '
  let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).coverage.toFixed(2)))')"
if ! node -e "process.exit(Number($coverage) >= Number($min_coverage) ? 0 : 1)"; then
  echo "policy: coverage ${coverage}% is under the ${min_coverage}% threshold" >&2
  exit 1
fi
echo "policy: coverage ${coverage}% (threshold ${min_coverage}%)"
[ "${1:-}" = "--test-only" ] && exit 0

# Only builtins the JavaScript wasm SDK implements may be compiled in; the SDK
# ships that list, so it cannot drift from the installed version.
out="$root/build/policy"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node -e '
  const caps = JSON.parse(require("fs").readFileSync("node_modules/@open-policy-agent/opa-wasm/capabilities.json", "utf8"));
  caps.features = ["rego_v1"];
  process.stdout.write(JSON.stringify(caps));' > "$tmp/capabilities.json"
revision="$(cat policies/authz/*.rego policies/*/data.json | sha256sum | cut -c1-16)"
signing=()
if [ -n "${POLICY_SIGNING_KEY:-}" ]; then
  # OPA signs only in bundle mode (-b: policies/ is the bundle's root; same data paths).
  signing=(-b --signing-key "$POLICY_SIGNING_KEY" --signing-alg "${POLICY_SIGNING_ALG:-RS256}")
fi
"$opa" build -t wasm \
  -e authz/decision -e authz/admin -e authz/role_check \
  --capabilities "$tmp/capabilities.json" \
  --revision "$revision" \
  --ignore '*_test.rego' --ignore schemas --ignore examples \
  ${signing[@]+"${signing[@]}"} \
  -o "$tmp/bundle.tar.gz" policies
mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp/unpacked"
# Swap the whole folder at once so a watching gateway never sees half a bundle.
mkdir -p "$out.next"
cp "$tmp/bundle.tar.gz" "$tmp/unpacked/policy.wasm" "$tmp/unpacked/data.json" "$tmp/unpacked/.manifest" "$out.next/"
rm -rf "$out.prev"; [ -d "$out" ] && mv "$out" "$out.prev"; mv "$out.next" "$out"; rm -rf "$out.prev"
echo "policy: built revision $revision -> build/policy${POLICY_SIGNING_KEY:+ (bundle.tar.gz signed, ${POLICY_SIGNING_ALG:-RS256})}"
