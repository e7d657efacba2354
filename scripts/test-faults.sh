#!/usr/bin/env bash
# `npm run test:faults`: fault injection and the soak (test/faults/, about
# 2.5 minutes, files one at a time). Needs the compiled policy (npm test or
# npm run policy:build makes it). Ends with the figures the README's Security
# section quotes, from build/faults/*.json and build/soak-summary.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/policy/policy.wasm ] || bash scripts/build-policy.sh
rm -rf build/faults build/soak-summary.json
status=0
npx vitest run --config test/faults/vitest.config.ts --reporter=default --reporter=json --outputFile.json=build/vitest-faults.json "$@" || status=$?
node -e '
  const fs = require("fs");
  const files = fs.existsSync("build/faults") ? fs.readdirSync("build/faults").map((f) => "build/faults/" + f) : [];
  if (fs.existsSync("build/soak-summary.json")) files.push("build/soak-summary.json");
  let requests = 0, faults = 0, wrongfulAllows = 0, wrongfulDenies = 0;
  for (const f of files) {
    const s = JSON.parse(fs.readFileSync(f, "utf8"));
    requests += s.requests ?? 0;
    faults += (s.faultsInjected ?? []).length;
    wrongfulAllows += s.wrongfulAllows ?? 0;
    wrongfulDenies += s.wrongfulDenies ?? 0;
    console.log(`${s.scenario}: ${s.requests ?? 0} requests, ${s.wrongfulAllows ?? 0} wrongful allows`);
  }
  console.log(`\nfaults: ${files.length} scenarios, ${faults} faults injected, ${requests} requests, wrongful allows: ${wrongfulAllows}, wrongful denies: ${wrongfulDenies}`);
'
exit $status
