/**
 * The SDK's own logs: only errors are printed, so test output stays readable (tests
 * provoke many activity failures, which the SDK logs as warnings); all of them, from
 * info up, are kept for the tests that scan every log line for secrets.
 */
import { inspect } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

const PRINTED = new Set(['ERROR']);
const kept: string[] = [];
(globalThis as { __sdkLogLines?: string[] }).__sdkLogLines = kept;

Runtime.install({
  logger: new DefaultLogger('INFO', (entry: LogEntry) => {
    // inspect, not JSON: it shows an error's own properties (where a leaked header would sit).
    const line = `${entry.level} ${entry.message} ${inspect(entry.meta ?? {}, { depth: 8, breakLength: Infinity })}`;
    kept.push(line);
    if (PRINTED.has(entry.level)) process.stderr.write(`${line}\n`);
  }),
});
