/**
 * Runs the CLI in-process as a person would from a shell: argv, environment and stdin in;
 * exit code and what it printed out.
 */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { Harness } from './harness';
import { TEST_KEY_ENV } from './policy';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` plus the assertion key the test workers verify with, as a configured CLI has it. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'plaid-setup', ...args], {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdin: Readable.from(stdin ? [stdin] : []),
    env: { ...TEST_KEY_ENV, ...env },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * The environment a CLI has beside the test's worker: its vault, Temporal server and task
 * queue, Alice and Olga operators, Bob approver, Dave auditor; `actor` acts by default.
 */
export function cliEnvFor(h: Harness, actor: string): NodeJS.ProcessEnv {
  return {
    PLAID_SETUP_DATA_DIR: h.dataDir,
    PLAID_SETUP_MASTER_KEY: h.key.toString('base64'),
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    PLAID_SETUP_OPERATORS: 'alice,olga',
    PLAID_SETUP_APPROVERS: 'bob',
    PLAID_SETUP_AUDITORS: 'dave',
    PLAID_SETUP_ACTOR: actor,
    LOG_LEVEL: 'warn',
  };
}
