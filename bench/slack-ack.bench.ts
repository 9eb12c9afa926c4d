/**
 * The bot's ack latency (issue 4): how long Slack waits for the HTTP answer to a slash
 * command (`status`) and to a button click, measured by the driver against the real bot
 * with the Slack emulator, a real Temporal dev server and worker. Prints median and 99th
 * percentile; asserts nothing about time (machines differ), only that every ack was 200.
 */
import { BUTTONS, FIELDS } from '../src/slack/ids';
import type { Harness } from '../test/support/harness';
import { waitFor } from '../test/support/harness';
import { CHANNEL, checklistWhen, enterSecrets, postedChecklists, startSlackWorld, stateWhen, users, type SlackWorld } from '../test/support/slack-world';
import { useWorld } from '../test/support/world';
import { AS_DEPLOYED } from './deployed';
import { percentile } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

let h: Harness;
useWorld((w) => ({ h } = w), AS_DEPLOYED);

function report(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label.padEnd(34)} n=${sorted.length}  median=${percentile(sorted, 50).toFixed(1)} ms  p99=${percentile(sorted, 99).toFixed(1)} ms  max=${sorted.at(-1)!.toFixed(1)} ms`;
}

test(`ack latency over ${ROUNDS} rounds`, async () => {
  const world: SlackWorld = await startSlackWorld(h);
  const lines: string[] = [];
  try {
    await world.worker.runUntil(async () => {
      await world.driver.slash(users.alice, 'start bench', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      const ts = () => postedChecklists(world)[0]!.ts;
      await world.driver.click(users.alice, { channel: CHANNEL, ts: ts() }, BUTTONS.confirmRedirect);
      await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'the credentials button');
      await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
      await stateWhen(world, 'bench', (v) => v.steps[1]!.status === 'done', 'credentials');
      await checklistWhen(world, (t) => t.includes(BUTTONS.openSettings), 'the settings button');

      const status: number[] = [];
      const clicks: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const s = await world.driver.slash(users.dave, 'status bench', { channel: CHANNEL });
        expect(s.status).toBe(200);
        status.push(s.ms);
        // "Change settings" acks, then reads the state and opens a modal: a click that can repeat.
        const c = await world.driver.click(users.alice, { channel: CHANNEL, ts: ts() }, BUTTONS.openSettings);
        expect(c.status).toBe(200);
        clicks.push(c.ms);
      }
      lines.push(report('/plaid-setup status (slash command)', status), report('button click (Change settings)', clicks));
      // Handlers go on after their ack: let the last ones finish before the connections close under them.
      await waitFor(() => world.slack.callsTo('views.open').length, (n) => n >= ROUNDS, 'every click to open its modal');
      await waitFor(() => world.driver.responses.length, (n) => n >= ROUNDS + 1, 'every status to be answered');
    });
  } finally {
    await world.close();
  }
  process.stdout.write(`\nSlack ack latency, against the Slack emulator on this machine:\n${lines.join('\n')}\n\n`);
});
