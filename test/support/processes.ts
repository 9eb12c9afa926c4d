/**
 * plaid-setup's long-running commands as real child processes (bin/plaid-setup.js from the
 * built dist/), configured like the tests' harness: its Temporal server, task queue, vault
 * key, roles and Plaid emulator. Their output joins the harness's captured logs, which the
 * secret scans read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Harness } from './harness';
import { TEST_KEY_ENV, TEST_ROLES } from './policy';

const CLI = path.resolve(__dirname, '../../bin/plaid-setup.js');

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** The base URL of its health and metrics routes, from the line it prints at start. */
  opsUrl: Promise<string>;
  /** The first match of `pattern` in what it printed, once it appears (rejects if it exits first). */
  printed(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(h: Harness, args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  if (!existsSync(path.resolve(__dirname, '../../dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
  }
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: h.env.address,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      PLAID_SETUP_DATA_DIR: h.dataDir,
      PLAID_SETUP_MASTER_KEY: h.key.toString('base64'),
      ...TEST_KEY_ENV,
      PLAID_SETUP_OPERATORS: TEST_ROLES.operator.join(','),
      PLAID_SETUP_APPROVERS: TEST_ROLES.approver.join(','),
      PLAID_SETUP_AUDITORS: TEST_ROLES.auditor.join(','),
      PLAID_SANDBOX_URL: h.plaid.sandboxUrl,
      PLAID_PRODUCTION_URL: h.plaid.productionUrl,
      LOG_LEVEL: 'info',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  const keep = (d: Buffer) => {
    chunks.push(d.toString());
    h.logLines.push(d.toString());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(chunks.join(''));
        if (match) resolve(match);
      };
      look();
      child.stdout?.on('data', look);
      child.stderr?.on('data', look);
      void exited.then(({ code, signal }) => reject(new Error(`plaid-setup ${args.join(' ')} exited (${code ?? signal}) before printing ${pattern}:\n${chunks.join('')}`)));
    });
  return {
    child,
    output: () => chunks.join(''),
    opsUrl: printed(/Health: (http:\/\/[^/\s]+)\/healthz/).then((m) => m[1] as string),
    printed,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
