#!/usr/bin/env bash
# Type-checks every input reference of the policies in <dir> (default
# policies) against the entry points' input schemas (policies/schemas, one per
# entry point; the package's METADATA in policies/authz/decision_input.rego
# names their union, schema.input): a rule reading a field that no input has,
# or misspelling one (`input.request.methdo`), fails here with the file, line
# and reference. Used by scripts/build-policy.sh, and by
# test/policy/input-schema.test.ts on a copy with a misspelt rule.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/policies}"
opa="$root/.tools/bin/opa"
schemas="$(mktemp -d)"
trap 'rm -rf "$schemas"' EXIT
node -e '
  const fs = require("fs");
  const anyOf = ["decision", "admin", "role_check"].map((n) => {
    const s = JSON.parse(fs.readFileSync(`${process.argv[2]}/schemas/${n}.json`, "utf8"));
    delete s.$schema;
    return s;
  });
  fs.writeFileSync(process.argv[1] + "/input.json", JSON.stringify({ anyOf }));' "$schemas" "$dir"
"$opa" check --strict --ignore schemas --schema "$schemas" "$dir"
