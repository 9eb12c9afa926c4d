/**
 * Runs the CLI in-process as a person would from a shell: argv, environment and stdin in;
 * exit code and what it printed out.
 */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'plaid-setup', ...args], {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdin: Readable.from(stdin ? [stdin] : []),
    env,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
