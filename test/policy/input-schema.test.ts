// The policy input's JSON Schema (policies/schemas) is enforced on the Rego:
// `npm run policy:test` type-checks every input reference against it
// (scripts/check-policy-schema.sh), so a rule reading a field that does not
// exist — here `request.methdo` — fails the build, while the same rule spelt
// right passes. Run on copies of policies/ with one rule added.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { policySources } from '../support/policy-bundle.ts';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

function check(rule: string): Promise<{ code: number; output: string }> {
  return policySources({ 'authz/zz_rule.rego': `package authz\n\n${rule}\n` }).then((dir) => {
    made.push(dir);
    return new Promise((resolve) => {
      execFile('bash', ['scripts/check-policy-schema.sh', dir], (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number(err.code ?? 1), output: `${stdout}${stderr}` });
      });
    });
  });
}

describe('the input schema in opa check', () => {
  it('rejects a rule that reads a field the input does not have, and accepts it spelt right', async () => {
    const [typo, viaInput, right] = await Promise.all([
      check('request_reasons contains "INSUFFICIENT_PERMISSION" if request.methdo == "DELETE"'),
      check('request_reasons contains "INSUFFICIENT_PERMISSION" if input.request.path[0] == 1'),
      check('request_reasons contains "INSUFFICIENT_PERMISSION" if {\n\trequest.method == "DELETE"\n\trequest.path[2] == "notes"\n\tinput.request.headers["x-channel"] == "partner"\n\tinput.request.query.tag[_] == "x"\n}'),
    ]);
    expect(typo.code).not.toBe(0);
    // Read through `request := input.request` (decision.rego), as the package's rules do.
    expect(typo.output).toMatch(/zz_rule\.rego:3: rego_type_error: undefined ref: data\.authz\.request\.methdo/);
    expect(typo.output).toMatch(/want \(one of\): \[.*"method".*"path".*"query"/);
    // A known field compared as the wrong type fails too: path segments are strings.
    expect(viaInput.code).not.toBe(0);
    expect(viaInput.output).toMatch(/zz_rule\.rego:3: rego_type_error: match error\s+left\s+: string\s+right : number/);
    expect(right).toEqual({ code: 0, output: '' });
  });
});
