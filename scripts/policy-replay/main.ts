// npm run policy:replay -- --bundle <dir|bundle.tar.gz> --log <decision-log.ndjson>
//   [--allow-changes] [--examples N] [--json]
//
// Re-evaluates the decisions of a recorded decision log (the gateway's NDJSON,
// OPA's decision-log shape) against a candidate bundle and prints those that
// would change: counts by old → new, then the first examples with their
// decision_id. Exit code: 0 when nothing would change (or --allow-changes),
// 1 when something would, 2 when the replay could not run (bad arguments, a
// bundle that does not load, an unreadable log, or a log with no decision to
// replay: an empty replay proves nothing).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadCandidate } from './candidate.ts';
import { formatReport, Replay } from './replay.ts';

const usage = 'usage: npm run policy:replay -- --bundle <dir|bundle.tar.gz> --log <decision-log.ndjson> [--allow-changes] [--examples N] [--json]';

function fail(message: string): never {
  process.stderr.write(`policy replay: ${message}\n`);
  process.exit(2);
}

function args() {
  try {
    return parseArgs({
      options: {
        bundle: { type: 'string' },
        log: { type: 'string' },
        'allow-changes': { type: 'boolean', default: false },
        examples: { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail(`${(err as Error).message}\n${usage}`);
  }
}

async function main(): Promise<void> {
  const values = args();
  const { bundle, log } = values;
  const examples = Number(values.examples);
  if (bundle === undefined || log === undefined) fail(usage);
  if (!Number.isInteger(examples) || examples < 0) fail(`--examples takes a whole number, got ${values.examples}`);

  let replay: Replay;
  try {
    replay = new Replay(await loadCandidate(bundle), examples);
  } catch (err) {
    fail(`cannot load the bundle ${bundle}: ${(err as Error).message}`);
  }
  try {
    const lines = createInterface({ input: createReadStream(log), crlfDelay: Infinity });
    for await (const line of lines) replay.line(line);
  } catch (err) {
    fail(`cannot read the log ${log}: ${(err as Error).message}`);
  }
  const report = replay.report;
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report, bundle, log)}\n`);
  if (report.replayed === 0) fail(`no decision of ${log} could be replayed`);
  if (report.changed > 0 && !values['allow-changes']) process.exit(1);
}

await main();
