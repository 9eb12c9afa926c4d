/**
 * Replay time of one full-journey history (issue 14, item 1): a setup driven from start to
 * enabled in Production (every check, the approval, the Production secret), against a bare
 * workflow's history of at least as many events (no-op updates, bench/bare). Each history is
 * replayed BENCH_REPLAYS times (default 50) by one replay worker, after a warm-up; prints the
 * mean per replay and the ratio. Asserts only that every replay succeeded.
 */
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { actors, journeyToEnablement, type Harness } from '../test/support/harness';
import { workflowBundle } from '../test/support/env';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { record } from './results';

const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 50);

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

const say = (line: string) => process.stdout.write(`${line}\n`);
type History = temporal.api.history.v1.IHistory;

/** Mean ms per replay of `history`, replayed `times` times by one worker (a warm-up first). */
async function replayMs(bundle: WorkflowBundle, history: History, times: number): Promise<number> {
  const copies = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ workflowId: `${tag}-${i}`, history }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, copies(3, 'warm'))) if (r.error) throw r.error;
  const start = performance.now();
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, copies(times, 'timed'))) if (r.error) throw r.error;
  return (performance.now() - start) / times;
}

test(`replay of a full-journey history vs a bare one of the same length, ${REPLAYS} times each`, async () => {
  const worker = await h.worker();
  const journey = await worker.runUntil(async () => {
    await h.start('replayed');
    await journeyToEnablement(h, 'replayed');
    await h.act('replayed', 'enable', { actor: actors.olga });
    await h.until('replayed', (s) => s.enabled && !s.job, 'enabled');
    return h.handle('replayed').fetchHistory();
  });
  const events = journey.events?.length ?? 0;

  const bareQueue = `${h.taskQueue}-bare-replay`;
  const bareWorker = await Worker.create({ connection: h.env.nativeConnection, taskQueue: bareQueue, workflowsPath: path.join(__dirname, 'bare/workflows.js') });
  const bare = await bareWorker.runUntil(async () => {
    const handle = await h.temporal.workflow.start('bareUpdateWorkflow', { taskQueue: bareQueue, workflowId: `bare-replay-${Date.now()}` });
    for (let i = 0; ; i++) {
      await handle.executeUpdate('noop', { args: [{ i }] });
      if (((await handle.fetchHistory()).events?.length ?? 0) >= events) break;
    }
    await handle.terminate('bench done');
    return handle.fetchHistory();
  });

  const bareBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare/workflows.js'), logger: new DefaultLogger('ERROR') });
  const setupMs = await replayMs(await workflowBundle(), journey, REPLAYS);
  const bareMs = await replayMs(bareBundle, bare, REPLAYS);
  say(`full-journey history (${events} events)          ${setupMs.toFixed(1)} ms per replay`);
  say(`bare history (${bare.events?.length ?? 0} events)                 ${bareMs.toFixed(1)} ms per replay`);
  say(`replay ratio: ${(setupMs / bareMs).toFixed(2)}x bare`);
  record('replay', { replays: REPLAYS, journeyEvents: events, bareEvents: bare.events?.length ?? 0, journeyMsPerReplay: setupMs, bareMsPerReplay: bareMs, ratio: setupMs / bareMs });
});
