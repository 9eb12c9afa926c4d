/**
 * An accepted update's round trip (issue 14, item 1, first part): the time from sending a
 * Temporal Update to having its result, for a bare workflow with a no-op update and
 * validator (bench/bare), for a plaid-setup action without Slack, and for the same action
 * on a setup with a Slack checklist (the bot's notifier publishing to the Slack emulator).
 * One Temporal dev server, sequential updates, BENCH_UPDATES of each (default 200).
 * Prints p50 and p99 and the ratio to bare; asserts nothing about time.
 */
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { actors, journeyToProductionRequest, type Harness } from '../test/support/harness';
import { BUTTONS } from '../src/slack/ids';
import { CHANNEL, checklistWhen, startSlackWorld, users } from '../test/support/slack-world';
import { useWorld } from '../test/support/world';
import { record } from './results';

const ROUNDS = Number(process.env.BENCH_UPDATES ?? 200);

let h: Harness;
useWorld((w) => ({ h } = w));

const say = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function timed(rounds: number, send: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  // A few first: the workflow is cached and the connection warm before anything counts.
  for (let i = 0; i < 5; i++) await send(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await send(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const line = (label: string, r: { p50: number; p99: number }, bare?: { p50: number; p99: number }) =>
  `${label.padEnd(44)} p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms${bare ? `  (${(r.p50 / bare.p50).toFixed(2)}x bare at p50, ${(r.p99 / bare.p99).toFixed(2)}x at p99)` : ''}`;

test(`accepted update round trip, ${ROUNDS} of each`, async () => {
  const bareQueue = `${h.taskQueue}-bare`;
  const bareWorker = await Worker.create({ connection: h.env.nativeConnection, taskQueue: bareQueue, workflowsPath: path.join(__dirname, 'bare/workflows.js') });
  const bare = await bareWorker.runUntil(async () => {
    const handle = await h.temporal.workflow.start('bareUpdateWorkflow', { taskQueue: bareQueue, workflowId: `bare-update-${Date.now()}` });
    const result = await timed(ROUNDS, (i) => handle.executeUpdate('noop', { args: [{ i }] }));
    await handle.terminate('bench done');
    return result;
  });
  say(line('bare workflow, no-op update', bare));

  // The same action each time: settings saved again, accepted, state changed.
  const settings = { actor: actors.alice, countryCodes: ['US', 'GB'] as Array<'US' | 'GB'>, syncMode: 'continuous' as const };
  const worker = await h.worker();
  const plain = await worker.runUntil(async () => {
    await h.start('bench-plain');
    await journeyToProductionRequest(h, 'bench-plain');
    return timed(ROUNDS, () => h.act('bench-plain', 'updateSettings', settings));
  });
  say(line('plaid-setup updateSettings, no Slack', plain, bare));

  const world = await startSlackWorld(h);
  try {
    const slack = await world.worker.runUntil(async () => {
      await world.driver.slash(users.alice, 'start bench-slack', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      await journeyToProductionRequest(h, 'bench-slack');
      return timed(ROUNDS, () => h.act('bench-slack', 'updateSettings', settings));
    });
    say(line('plaid-setup updateSettings, Slack checklist', slack, bare));
    record('update-latency', { rounds: ROUNDS, bare, withoutSlack: plain, withSlack: slack, ratioWithSlackP50: slack.p50 / bare.p50, targetWithSlack: '<= 1.2x bare' });
  } finally {
    await world.close();
  }
});
