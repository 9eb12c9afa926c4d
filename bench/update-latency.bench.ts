/**
 * An accepted update's round trip (issue 14, item 1, first part): the time from sending a
 * Temporal Update to having its result, for a bare workflow with a no-op update and
 * validator (bench/bare), for a plaid-setup action without Slack, and for the same action
 * on a setup with a Slack checklist (the bot's notifier publishing to the Slack emulator).
 * One Temporal dev server; BENCH_UPDATES rounds (default 500), each sending one update to
 * each of the three in turn (the order rotating), so that a busier moment of the machine
 * falls on all three alike.
 *
 * Prints p50 and p99 and the ratio to bare, and where the time went: the worker's share,
 * read from each update's workflow task in history (task started to completed, as the
 * server saw it), and the rest (client, gRPC and server). Asserts nothing about time.
 */
import path from 'node:path';
import { tsToMs } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { actors, journeyToProductionRequest, type Harness } from '../test/support/harness';
import { BUTTONS } from '../src/slack/ids';
import { CHANNEL, checklistWhen, startSlackWorld, users } from '../test/support/slack-world';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { percentile } from './stats';
import { record } from './results';

const ROUNDS = Number(process.env.BENCH_UPDATES ?? 500);
const WARM_UP = 10;

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Figures {
  p50: number;
  p99: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * For the last `count` accepted updates in a workflow's history: how long the worker held
 * the workflow task that accepted each (started to completed, server timestamps).
 */
async function workerShare(handle: WorkflowHandle, count: number): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const held: number[] = [];
  events.forEach((event, i) => {
    if (!event.workflowExecutionUpdateAcceptedEventAttributes) return;
    // The accepting task's completion is the nearest WorkflowTaskCompleted before it.
    for (let j = i - 1; j >= 0; j--) {
      const done = events[j]?.workflowTaskCompletedEventAttributes;
      if (!done) continue;
      const started = byId.get(Number(done.startedEventId));
      if (started?.eventTime && events[j]?.eventTime) held.push(tsToMs(events[j]!.eventTime) - tsToMs(started.eventTime));
      return;
    }
  });
  return held.slice(-count);
}

const line = (label: string, r: Figures, bare?: Figures) =>
  `${label.padEnd(44)} p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms${bare ? `  (${(r.p50 / bare.p50).toFixed(2)}x bare at p50, ${(r.p99 / bare.p99).toFixed(2)}x at p99)` : ''}`;

const split = (label: string, total: Figures, worker: Figures) =>
  `  ${label.padEnd(42)} worker p50 ${worker.p50.toFixed(1).padStart(5)} ms, the rest (client, gRPC, server) p50 ~${(total.p50 - worker.p50).toFixed(1)} ms`;

test(`accepted update round trip, ${ROUNDS} rounds`, async () => {
  const bareQueue = `${h.taskQueue}-bare`;
  const bareWorker = await Worker.create({ connection: h.env.nativeConnection, taskQueue: bareQueue, workflowsPath: path.join(__dirname, 'bare/workflows.js') });
  const world = await startSlackWorld(h);
  // The same action each time: settings saved again, accepted, state changed.
  const settings = { actor: actors.alice, countryCodes: ['US', 'GB'] as Array<'US' | 'GB'>, syncMode: 'continuous' as const };
  try {
    const samples = await bareWorker.runUntil(
      world.worker.runUntil(async () => {
        const bare = await h.temporal.workflow.start('bareUpdateWorkflow', { taskQueue: bareQueue, workflowId: `bare-update-${Date.now()}` });
        await h.start('bench-plain');
        await journeyToProductionRequest(h, 'bench-plain');
        await world.driver.slash(users.alice, 'start bench-slack', { channel: CHANNEL });
        await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
        await journeyToProductionRequest(h, 'bench-slack');

        const kinds = [
          { key: 'bare', send: (i: number) => bare.executeUpdate('noop', { args: [{ i }] }) },
          { key: 'plain', send: () => h.act('bench-plain', 'updateSettings', settings) },
          { key: 'slack', send: () => h.act('bench-slack', 'updateSettings', settings) },
        ] as const;
        const taken: Record<(typeof kinds)[number]['key'], number[]> = { bare: [], plain: [], slack: [] };
        // Warm-up first: every workflow cached and the connection warm before anything counts.
        for (let round = -WARM_UP; round < ROUNDS; round++) {
          for (let k = 0; k < kinds.length; k++) {
            const kind = kinds[(k + Math.abs(round)) % kinds.length]!;
            const start = performance.now();
            await kind.send(round);
            if (round >= 0) taken[kind.key].push(performance.now() - start);
          }
        }
        const held = {
          bare: await workerShare(bare, ROUNDS),
          plain: await workerShare(h.handle('bench-plain'), ROUNDS),
          slack: await workerShare(h.handle('bench-slack'), ROUNDS),
        };
        await bare.terminate('bench done');
        return { taken, held };
      }),
    );
    const bare = figures(samples.taken.bare);
    const plain = figures(samples.taken.plain);
    const slack = figures(samples.taken.slack);
    const held = { bare: figures(samples.held.bare), plain: figures(samples.held.plain), slack: figures(samples.held.slack) };
    say(line('bare workflow, no-op update', bare));
    say(line('plaid-setup updateSettings, no Slack', plain, bare));
    say(line('plaid-setup updateSettings, Slack checklist', slack, bare));
    say('where the time went (worker: its workflow task, from history):');
    say(split('bare', bare, held.bare));
    say(split('no Slack', plain, held.plain));
    say(split('Slack checklist', slack, held.slack));
    record('update-latency', {
      rounds: ROUNDS,
      bare,
      withoutSlack: plain,
      withSlack: slack,
      workerHeld: held,
      ratioWithSlackP50: slack.p50 / bare.p50,
      ratioWithSlackP99: slack.p99 / bare.p99,
      targetWithSlack: '<= 1.2x bare',
    });
  } finally {
    await world.close();
  }
});
