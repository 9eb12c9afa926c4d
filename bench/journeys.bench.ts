/**
 * Throughput of whole journeys (issue 14, item 1): BENCH_JOURNEYS setups at once (default
 * 1000), each driven from start to enabled in Production against the Plaid emulator (every
 * update and activity of a real journey), beside the same number of bare workflows with as
 * many no-op updates and activities per workflow (bench/bare), counted from one journey's
 * history. Both sides wait for their checks the same way (a state query every 500 ms).
 * Prints wall time, setups per second and the ratio; asserts only that all finished.
 */
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { SetupState } from '../src/domain/state';
import { actors, type Harness } from '../test/support/harness';
import { useWorld } from '../test/support/world';
import { record } from './results';

const { EventType } = temporal.api.enums.v1;
const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 1000);
const POLL_MS = 500;

let h: Harness;
useWorld((w) => ({ h } = w));

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await sleep(POLL_MS);
  }
}

const stepDone = (id: string) => (s: SetupState) => s.steps.find((x) => x.id === id)?.status === 'done';

/** One setup from start to enabled in Production, as the CLI or the bot would drive it. */
async function journey(setupId: string): Promise<void> {
  const state = () => h.state(setupId);
  await h.start(setupId);
  await h.act(setupId, 'confirmRedirect', { actor: actors.alice });
  await h.act(setupId, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(setupId, 'sandbox') });
  await h.act(setupId, 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' });
  await h.act(setupId, 'runSandboxTest', { actor: actors.alice });
  await until(state, stepDone('sandbox_test'));
  await h.act(setupId, 'confirmCodat', { actor: actors.alice });
  await h.act(setupId, 'requestProduction', { actor: actors.alice });
  await h.act(setupId, 'approveProduction', { actor: actors.bob });
  await h.act(setupId, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(setupId, 'production') });
  await until(state, (s) => !s.job && !!s.data.productionSecret);
  await h.act(setupId, 'confirmCodat', { actor: actors.alice });
  await h.act(setupId, 'enable', { actor: actors.olga });
  await until(state, (s) => s.enabled && !s.job && !s.codatCheck);
}

async function inParallel(n: number, run: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
  return (performance.now() - started) / 1000;
}

test(
  `${JOURNEYS} journeys at once, beside a bare workload of the same shape`,
  async () => {
    const worker = await h.worker();
    const { seconds: setupSeconds, shape } = await worker.runUntil(async () => {
      // One journey first: its history gives the shape the bare workload copies.
      await journey('shape');
      const events = (await h.handle('shape').fetchHistory()).events ?? [];
      const count = (type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
      const shape = { updates: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED), activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) };
      const seconds = await inParallel(JOURNEYS, (i) => journey(`journey-${i}`));
      return { seconds, shape };
    });
    say(`one journey: ${shape.updates} updates, ${shape.activities} activities`);

    const bareQueue = `${h.taskQueue}-bare-journeys`;
    const bareWorker = await Worker.create({
      connection: h.env.nativeConnection,
      taskQueue: bareQueue,
      workflowsPath: path.join(__dirname, 'bare/workflows.js'),
      activities: { noopActivity: async () => undefined },
    });
    const bareSeconds = await bareWorker.runUntil(() =>
      inParallel(JOURNEYS, async (i) => {
        const handle = await h.temporal.workflow.start('bareJourneyWorkflow', { taskQueue: bareQueue, workflowId: `bare-journey-${i}-${Date.now()}`, args: [shape] });
        for (let u = 1; u <= shape.updates; u++) {
          await handle.executeUpdate('step');
          const target = Math.round((u * shape.activities) / shape.updates);
          await until(() => handle.query<{ ran: number }>('state'), (s) => s.ran >= target);
        }
        await handle.result();
      }),
    );

    const rate = (s: number) => JOURNEYS / s;
    say(`bare workload:       ${JOURNEYS} workflows in ${bareSeconds.toFixed(1)} s (${rate(bareSeconds).toFixed(1)} per s)`);
    say(`plaid-setup journeys: ${JOURNEYS} setups in ${setupSeconds.toFixed(1)} s (${rate(setupSeconds).toFixed(1)} per s)`);
    say(`throughput: ${(rate(setupSeconds) / rate(bareSeconds)).toFixed(2)}x bare (target: at least 0.8x)`);
    record('journeys', { journeys: JOURNEYS, shape, bareSeconds, setupSeconds, ratio: rate(setupSeconds) / rate(bareSeconds), target: '>= 0.8x bare' });
  },
  3_600_000,
);
