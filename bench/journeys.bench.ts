/**
 * Throughput of whole journeys (issue 14, item 1): BENCH_JOURNEYS setups at once (default
 * 1000), each driven from start to enabled in Production against the Plaid emulator (every
 * update and activity of a real journey), beside the same number of bare workflows with as
 * many no-op updates per workflow, each followed by as many no-op activities as in one
 * journey's history (bench/bare). Both sides wait for their checks after the same updates,
 * the same way (a state query every 500 ms). The bare workload runs twice: as it is, and
 * writing a search attribute as often as a setup indexes its step, which tells that cost
 * apart. Prints wall time, setups per second, the ratios, and per journey the workflow
 * tasks, state queries and CPU time (here and in the dev server); asserts nothing on time.
 */
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { SetupState } from '../src/domain/state';
import { actors, type Harness } from '../test/support/harness';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { cpuNow, record } from './results';

const { EventType } = temporal.api.enums.v1;
const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 1000);
const POLL_MS = 500;

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** State queries sent while waiting, by side: the polling is part of each side's cost. */
const probes = { setup: 0, bare: 0 };

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, side: keyof typeof probes = 'setup'): Promise<T> {
  for (;;) {
    probes[side] += 1;
    const value = await probe();
    if (done(value)) return value;
    await sleep(POLL_MS);
  }
}

const stepDone = (id: string) => (s: SetupState) => s.steps.find((x) => x.id === id)?.status === 'done';

/**
 * One setup from start to enabled in Production, as the CLI or the bot would drive it.
 * `waits`, when given, gets the number of actions sent before each wait for a check: the
 * bare workload waits at the same points.
 */
async function journey(setupId: string, waits?: number[]): Promise<void> {
  const state = () => h.state(setupId);
  let acted = 0;
  const act: Harness['act'] = async (...args) => {
    const view = await h.act(...args);
    acted += 1;
    return view;
  };
  const settle = (done: (s: SetupState) => boolean) => {
    waits?.push(acted);
    return until(state, done);
  };
  await h.start(setupId);
  await act(setupId, 'confirmRedirect', { actor: actors.alice });
  await act(setupId, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(setupId, 'sandbox') });
  await act(setupId, 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' });
  await act(setupId, 'runSandboxTest', { actor: actors.alice });
  await settle(stepDone('sandbox_test'));
  await act(setupId, 'confirmCodat', { actor: actors.alice });
  await act(setupId, 'requestProduction', { actor: actors.alice });
  await act(setupId, 'approveProduction', { actor: actors.bob });
  await act(setupId, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(setupId, 'production') });
  await settle((s) => !s.job && !!s.data.productionSecret);
  await act(setupId, 'confirmCodat', { actor: actors.alice });
  await act(setupId, 'enable', { actor: actors.olga });
  await settle((s) => s.enabled && !s.job && !s.codatCheck);
}

function cpuSince(before: ReturnType<typeof cpuNow>): ReturnType<typeof cpuNow> {
  const now = cpuNow();
  return { self: now.self - before.self, server: now.server === undefined || before.server === undefined ? undefined : now.server - before.server };
}

/** How many events of `type` followed each accepted update, in order, and how many came before the first. */
function afterEachUpdate(events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType): { before: number; after: number[] } {
  let before = 0;
  const after: number[] = [];
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) after.push(0);
    else if (e.eventType === type) {
      if (after.length === 0) before += 1;
      else after[after.length - 1]! += 1;
    }
  }
  return { before, after };
}

async function inParallel(n: number, run: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
  return (performance.now() - started) / 1000;
}

/** The shape of one journey, from its history, that the bare workload copies. */
interface Shape {
  /** Activities scheduled after each accepted update, in order. */
  activitiesAfter: number[];
  /** Search-attribute writes after each accepted update, and before the first (`upsertsAtStart`). */
  upsertsAfter: number[];
  upsertsAtStart: number;
  /** The updates after which the journey waits for its checks. */
  waits: number[];
}

interface Phase {
  seconds: number;
  cpu: ReturnType<typeof cpuNow>;
  tasks: number;
  queries: number;
}

/** `JOURNEYS` bare workflows of the journey's shape at once; with `upserts`, its search-attribute writes too. */
async function bareWorkload(shape: Shape, upserts: boolean): Promise<Phase> {
  const taskQueue = `${h.taskQueue}-bare-${upserts ? 'upserts' : 'plain'}`;
  const worker = await Worker.create({
    connection: h.env.nativeConnection,
    taskQueue,
    workflowsPath: path.join(__dirname, 'bare/workflows.js'),
    activities: { noopActivity: async () => undefined },
  });
  const updates = shape.activitiesAfter.length;
  const args = { activitiesAfter: shape.activitiesAfter, ...(upserts ? { upsertsAfter: shape.upsertsAfter, upsertsAtStart: shape.upsertsAtStart } : {}) };
  let last = '';
  probes.bare = 0;
  const before = cpuNow();
  const seconds = await worker.runUntil(() =>
    inParallel(JOURNEYS, async (i) => {
      const workflowId = `bare-journey-${upserts ? 'upserts-' : ''}${i}-${Date.now()}`;
      last = workflowId;
      const handle = await h.temporal.workflow.start('bareJourneyWorkflow', { taskQueue, workflowId, args: [args] });
      let due = 0;
      for (let u = 1; u <= updates; u++) {
        await handle.executeUpdate('step');
        due += shape.activitiesAfter[u - 1]!;
        // Where the journey waits for its checks, the bare client waits for its activities.
        if (shape.waits.includes(u)) await until(() => handle.query<{ ran: number }>('state'), (s) => s.ran >= due, 'bare');
      }
      await handle.result();
    }),
  );
  return { seconds, cpu: cpuSince(before), tasks: await workflowTasks(h.temporal.workflow.getHandle(last)), queries: probes.bare / JOURNEYS };
}

async function workflowTasks(handle: WorkflowHandle): Promise<number> {
  return ((await handle.fetchHistory()).events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
}

test(
  `${JOURNEYS} journeys at once, beside a bare workload of the same shape`,
  async () => {
    const worker = await h.worker();
    const { setup, shape } = await worker.runUntil(async () => {
      // One journey first: its history gives the shape the bare workload copies.
      const waits: number[] = [];
      await journey('shape', waits);
      const events = (await h.handle('shape').fetchHistory()).events ?? [];
      const upserts = afterEachUpdate(events, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
      const shape: Shape = { activitiesAfter: afterEachUpdate(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).after, upsertsAfter: upserts.after, upsertsAtStart: upserts.before, waits };
      probes.setup = 0;
      const before = cpuNow();
      const seconds = await inParallel(JOURNEYS, (i) => journey(`journey-${i}`));
      const phase: Phase = { seconds, cpu: cpuSince(before), tasks: await workflowTasks(h.handle(`journey-${JOURNEYS - 1}`)), queries: probes.setup / JOURNEYS };
      return { setup: phase, shape };
    });
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    say(
      `one journey: ${shape.activitiesAfter.length} updates, ${sum(shape.activitiesAfter)} activities (after each update: ${shape.activitiesAfter.join(' ')}), ` +
        `${shape.upsertsAtStart + sum(shape.upsertsAfter)} search-attribute writes; waits for checks after updates ${shape.waits.join(', ')}`,
    );
    const bare = await bareWorkload(shape, false);
    const bareUpserts = await bareWorkload(shape, true);

    const rate = (p: Phase) => JOURNEYS / p.seconds;
    const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${(v / JOURNEYS).toFixed(0)} ms`);
    const row = (label: string, p: Phase) =>
      say(
        `${label.padEnd(44)} ${p.seconds.toFixed(1).padStart(6)} s, ${rate(p).toFixed(1).padStart(5)} per s; per journey ${p.tasks} workflow tasks, ` +
          `${p.queries.toFixed(1)} state queries, CPU ${ms(p.cpu.self)} here (client, worker, emulators) and ${ms(p.cpu.server)} in the dev server`,
      );
    row(`bare workload, ${JOURNEYS} workflows`, bare);
    row(`bare with the journey's search-attribute writes`, bareUpserts);
    row(`plaid-setup journeys, ${JOURNEYS} setups`, setup);
    say(`throughput: ${(rate(setup) / rate(bare)).toFixed(2)}x bare (target: at least 0.8x); ${(rate(setup) / rate(bareUpserts)).toFixed(2)}x bare with the same search-attribute writes`);
    record('journeys', {
      journeys: JOURNEYS,
      shape,
      bare,
      bareWithUpserts: bareUpserts,
      setup,
      ratio: rate(setup) / rate(bare),
      ratioWithUpserts: rate(setup) / rate(bareUpserts),
      target: '>= 0.8x bare',
    });
  },
  3_600_000,
);
