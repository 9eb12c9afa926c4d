/**
 * Runs the CLI in-process as a person would from a shell: argv, environment and stdin in;
 * exit code and what it printed out.
 */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
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
