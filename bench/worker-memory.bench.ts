/**
 * Worker memory per open setup (issue 12): the RSS of a `plaid-setup worker` process with N
 * setups open (each past its first workflow task, waiting on its first step), beside a bare
 * worker process with N bare workflows of the same shape (bench/bare) and the same workflow
 * cache. Up to 1,000 it also runs the bare workflow importing zod: what one import cost each
 * open workflow in the sandbox before the workflow code left zod out. N comes from
 * BENCH_OPEN_SETUPS (comma-separated; default 1000,10000, as issue 14 asks), the cache from BENCH_WORKFLOW_CACHE_SIZE
 * (default: the worker's, PLAID_SETUP_WORKFLOW_CACHE_SIZE). Prints each figure as it is
 * measured; asserts nothing about them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_WORKFLOW_CACHE_SIZE } from '../src/config';
import { searchAttributes, WORKFLOW_TYPE } from '../src/shared/messages';
import type { Harness } from '../test/support/harness';
import { spawnCli } from '../test/support/processes';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { record } from './results';

const COUNTS = (process.env.BENCH_OPEN_SETUPS ?? '1000,10000').split(',').map(Number);
const CACHE = Number(process.env.BENCH_WORKFLOW_CACHE_SIZE ?? DEFAULT_WORKFLOW_CACHE_SIZE);
const BATCH = 100;
/** Starting and settling 10,000 workflows takes minutes here; each phase gets a minute plus 50 ms per workflow. */
const phaseMs = (n: number) => 60_000 + 50 * n;

type Measured = { idle: number; open: number; seconds: number };

const say = (line: string) => process.stdout.write(`${line}\n`);

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

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
  const deadline = Date.now() + phaseMs(n);
  for (;;) {
    const seen = await count(client, query);
    if (seen >= n) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${seen} of ${n}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function measureSetups(n: number): Promise<Measured> {
  const worker = spawnCli(h, ['worker'], { LOG_LEVEL: 'warn', PLAID_SETUP_WORKFLOW_CACHE_SIZE: String(CACHE) });
  try {
    await worker.opsUrl;
    const pid = worker.child.pid as number;
    const idle = await settledRss(pid);
    const started = Date.now();
    await inBatches(n, (i) => h.start(`mem-${n}-${i}`));
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${h.taskQueue}' AND ${searchAttributes.step.name} = 'application'`;
    await untilCounted(h.temporal, query, n, `${n} setups past their first task`);
    const seconds = (Date.now() - started) / 1000;
    return { idle, open: await settledRss(pid), seconds };
  } finally {
    await worker.stop();
  }
}

async function measureBare(n: number, workflows: string): Promise<Measured> {
  const taskQueue = `${h.taskQueue}-${workflows}`;
  const child = spawn(process.execPath, [path.join(__dirname, 'bare/worker.js'), h.env.address, taskQueue], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BARE_WORKFLOWS: workflows, BARE_CACHE_SIZE: String(CACHE) },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`bare worker exited (${code})`)));
    });
    const pid = child.pid as number;
    const idle = await settledRss(pid);
    const started = Date.now();
    const ids = Array.from({ length: n }, (_, i) => `${workflows}-${n}-${i}-${Date.now()}`);
    await inBatches(n, (i) => h.temporal.workflow.start('bareWorkflow', { workflowId: ids[i]!, taskQueue }));
    // A query answers only after the workflow's first task has run on the worker.
    await inBatches(n, (i) => h.temporal.workflow.getHandle(ids[i]!).query('state'));
    const seconds = (Date.now() - started) / 1000;
    return { idle, open: await settledRss(pid), seconds };
  } finally {
    child.kill('SIGTERM');
  }
}

/** What each workflow in memory costs: at most CACHE of the n open ones are (the rest are evicted until their next task). */
const perCached = (m: Measured, n: number) => ((m.open - m.idle) * 1024) / Math.min(n, CACHE);

/** Measures one worker and prints its line at once, so a long run shows where it is. */
async function phase(label: string, n: number, measure: () => Promise<Measured>): Promise<Measured> {
  const m = await measure();
  say(
    `  ${label.padEnd(28)} ${m.idle.toFixed(0).padStart(5)} -> ${m.open.toFixed(0).padStart(5)} MB   ${perCached(m, n).toFixed(0).padStart(5)} KB per workflow in memory   (${m.seconds.toFixed(0)} s to open them)`,
  );
  return m;
}

for (const n of COUNTS) {
  test(
    `worker RSS with ${n} open setups, beside a bare workflow`,
    async () => {
      say(`worker RSS with ${n} open workflows, ${Math.min(n, CACHE)} of them in the workflow cache (idle -> open)`);
      const bare = await phase('bare workflow', n, () => measureBare(n, 'workflows.js'));
      if (n <= 1000) await phase('bare workflow importing zod', n, () => measureBare(n, 'workflows-zod.js'));
      const setups = await phase('plaid-setup worker', n, () => measureSetups(n));
      say(`  plaid-setup per setup in memory: ${(perCached(setups, n) / perCached(bare, n)).toFixed(2)}x a bare workflow's (target: at most 2x)`);
      say(`  plaid-setup worker RSS: ${setups.open.toFixed(0)} MB (target with 10,000 open: at most 600 MB)\n`);
      record(`worker-memory-${n}`, { openSetups: n, cache: CACHE, bare, setups, kbPerBareWorkflow: perCached(bare, n), kbPerSetup: perCached(setups, n), ratio: perCached(setups, n) / perCached(bare, n) });
    },
    // Three workers, each starting n workflows and waiting for them: a phase each, and a margin.
    4 * phaseMs(n),
  );
}
