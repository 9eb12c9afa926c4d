/**
 * Ack latency under a fixed offered load (issue 14, item 1): slash commands (`status`) and
 * button clicks (Change settings, which reads the setup and opens a modal after its ack)
 * sent open-loop at BENCH_ACK_RATE per second (default 50) for BENCH_ACK_SECONDS (default
 * 30), each kind on its own, whatever the answers' pace. The real bot (Temporal, worker,
 * Slack emulator) is measured beside a bare Bolt app on the same HTTP receiver that only
 * acks. Prints p50/p99 and the error count (a non-200 ack or no answer); asserts nothing.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { SlackDriver } from '../src/emulators/slack';
import { BUTTONS, FIELDS, SLASH_COMMAND } from '../src/slack/ids';
import type { Harness } from '../test/support/harness';
import { waitFor } from '../test/support/harness';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET, checklistWhen, enterSecrets, postedChecklists, startSlackWorld, stateWhen, users } from '../test/support/slack-world';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { percentile } from './stats';
import { record } from './results';

const RATE = Number(process.env.BENCH_ACK_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 30);

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Result {
  p50: number;
  p99: number;
  sent: number;
  errors: number;
}

/** Sends `send()` RATE times a second for SECONDS, on a schedule that does not wait for answers. */
async function openLoop(send: () => Promise<{ status: number; ms: number }>): Promise<Result> {
  const total = RATE * SECONDS;
  const gap = 1000 / RATE;
  const started = performance.now();
  const answers: Array<Promise<{ status: number; ms: number } | undefined>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answers.push(send().catch(() => undefined));
  }
  const settled = await Promise.all(answers);
  const ok = settled.filter((a): a is { status: number; ms: number } => a?.status === 200).map((a) => a.ms).sort((a, b) => a - b);
  return { p50: percentile(ok, 50), p99: percentile(ok, 99), sent: total, errors: total - ok.length };
}

const line = (label: string, r: Result, bare?: Result) =>
  `${label.padEnd(38)} p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  errors ${r.errors}/${r.sent}` +
  (bare ? `  (${(r.p50 / bare.p50).toFixed(2)}x bare at p50, ${(r.p99 / bare.p99).toFixed(2)}x at p99)` : '');

test(`ack latency at ${RATE} req/s for ${SECONDS} s, open loop`, async () => {
  const world = await startSlackWorld(h);
  const bareReceiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const bare = new App({ token: BOT_TOKEN, receiver: bareReceiver, clientOptions: { slackApiUrl: world.slack.apiUrl }, logLevel: LogLevel.ERROR });
  bare.command(SLASH_COMMAND, async ({ ack }) => ack());
  bare.action(/.*/, async ({ ack }) => ack());
  const server = await bareReceiver.start(0);
  const port = (server.address() as { port: number }).port;
  const bareDriver = await SlackDriver.start({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, emulator: world.slack });
  try {
    await world.worker.runUntil(async () => {
      await world.driver.slash(users.alice, 'start rated', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      const ts = () => postedChecklists(world)[0]!.ts;
      await world.driver.click(users.alice, { channel: CHANNEL, ts: ts() }, BUTTONS.confirmRedirect);
      await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
      await stateWhen(world, 'rated', (v) => v.steps[1]!.status === 'done', 'credentials');
      await checklistWhen(world, (t) => t.includes(BUTTONS.openSettings), 'the settings button');
      const where = { channel: CHANNEL, ts: ts() };

      const bareSlash = await openLoop(() => bareDriver.slash(users.dave, 'status rated', { channel: CHANNEL }));
      const bareClick = await openLoop(() => bareDriver.click(users.alice, where, BUTTONS.openSettings));
      const slash = await openLoop(() => world.driver.slash(users.dave, 'status rated', { channel: CHANNEL }));
      const click = await openLoop(() => world.driver.click(users.alice, where, BUTTONS.openSettings));
      say(line('bare Bolt app, slash command', bareSlash));
      say(line('bare Bolt app, button click', bareClick));
      say(line('plaid-setup bot, /plaid-setup status', slash, bareSlash));
      say(line('plaid-setup bot, Change settings', click, bareClick));
      record('ack-latency-open-loop', { ratePerSecond: RATE, seconds: SECONDS, bareSlash, bareClick, slash, click, targetP99Ms: 30 });
      // The handlers go on after their acks: let them finish before the connections close.
      await waitFor(() => world.slack.callsTo('views.open').length, (n) => n >= RATE * SECONDS, 'the clicks to open their modals');
      await waitFor(() => world.driver.responses.length, (n) => n >= RATE * SECONDS, 'every status to be answered');
    });
  } finally {
    await bareDriver.close();
    await bareReceiver.stop();
    await world.close();
  }
});
