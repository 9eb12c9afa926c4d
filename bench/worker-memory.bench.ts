/**
 * Worker memory per open setup (issue 12): the RSS of a `plaid-setup worker` process with N
 * setups open (each past its first workflow task, waiting on its first step), beside a bare
 * worker process with N bare workflows of the same shape (bench/bare), and the same bare
 * workflow importing zod (what one import costs each open workflow in the sandbox). N comes from
 * BENCH_OPEN_SETUPS (comma-separated; default 1000). Prints the figures; asserts nothing
 * about them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { searchAttributes, WORKFLOW_TYPE } from '../src/shared/messages';
import type { Harness } from '../test/support/harness';
import { spawnCli } from '../test/support/processes';
import { useWorld } from '../test/support/world';

const COUNTS = (process.env.BENCH_OPEN_SETUPS ?? '1000').split(',').map(Number);
const BATCH = 100;

let h: Harness;
useWorld((w) => ({ h } = w));

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** RSS once it stops growing: sampled every second until two samples agree within 1 %. */
async function settledRss(pid: number): Promise<number> {
  let last = rssMb(pid);
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = rssMb(pid);
    if (Math.abs(now - last) / last < 0.01) return now;
    last = now;
  }
  return last;
}

async function inBatches(n: number, start: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => start(i + j)));
}

async function count(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

/** Waits for `n` workflows to match `query`, allowing a minute plus 50 ms per workflow (10,000 take minutes here). */
async function untilCounted(client: Client, query: string, n: number, what: string): Promise<void> {
  const deadline = Date.now() + 60_000 + 50 * n;
  for (;;) {
    const seen = await count(client, query);
    if (seen >= n) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${seen} of ${n}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function measureSetups(n: number): Promise<{ idle: number; open: number }> {
  const worker = spawnCli(h, ['worker'], { LOG_LEVEL: 'warn' });
  try {
    await worker.opsUrl;
    const pid = worker.child.pid as number;
    const idle = await settledRss(pid);
    await inBatches(n, (i) => h.start(`mem-${n}-${i}`));
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${h.taskQueue}' AND ${searchAttributes.step.name} = 'application'`;
    await untilCounted(h.temporal, query, n, `${n} setups past their first task`);
    return { idle, open: await settledRss(pid) };
  } finally {
    await worker.stop();
  }
}

async function measureBare(n: number, workflows: string): Promise<{ idle: number; open: number }> {
  const taskQueue = `${h.taskQueue}-${workflows}`;
  const child = spawn(process.execPath, [path.join(__dirname, 'bare/worker.js'), h.env.address, taskQueue], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BARE_WORKFLOWS: workflows },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`bare worker exited (${code})`)));
    });
    const pid = child.pid as number;
    const idle = await settledRss(pid);
    const ids = Array.from({ length: n }, (_, i) => `${workflows}-${n}-${i}-${Date.now()}`);
    await inBatches(n, (i) => h.temporal.workflow.start('bareWorkflow', { workflowId: ids[i]!, taskQueue }));
    // A query answers only after the workflow's first task has run on the worker.
    await inBatches(n, (i) => h.temporal.workflow.getHandle(ids[i]!).query('state'));
    return { idle, open: await settledRss(pid) };
  } finally {
    child.kill('SIGTERM');
  }
}

test.each(COUNTS)('worker RSS with %i open setups, beside a bare workflow', async (n) => {
  const bare = await measureBare(n, 'workflows.js');
  const bareZod = await measureBare(n, 'workflows-zod.js');
  const setups = await measureSetups(n);
  const per = (m: { idle: number; open: number }) => ((m.open - m.idle) * 1024) / n;
  const line = (label: string, m: { idle: number; open: number }) =>
    `  ${label.padEnd(28)} ${m.idle.toFixed(0).padStart(5)} -> ${m.open.toFixed(0).padStart(5)} MB   ${per(m).toFixed(0).padStart(5)} KB per open workflow`;
  process.stdout.write(
    [
      `worker RSS with ${n} open workflows (idle -> open)`,
      line('plaid-setup worker', setups),
      line('bare workflow', bare),
      line('bare workflow importing zod', bareZod),
      `  plaid-setup per open setup: ${(per(setups) / per(bare)).toFixed(2)}x a bare workflow's (target: at most 2x)`,
      '',
    ].join('\n'),
  );
});
