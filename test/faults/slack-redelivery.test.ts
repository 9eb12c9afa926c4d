/**
 * Fault matrix (issue 14, item 2): every Slack payload delivered three times, out of order.
 * A setup goes from `/plaid-setup start` to enabled through the real bot; each slash command,
 * click and modal submission is delivered again twice, as Slack retries (signed afresh, with
 * X-Slack-Retry-Num), only after the next payload's first delivery and both at once. Each
 * action must be applied exactly once: one accepted Update per action in history, one run.
 */
import { temporal } from '@temporalio/proto';
import type { SetupView } from '../../src/domain/state';
import type { SentRequest, SlackDriver } from '../../src/emulators/slack';
import { BUTTONS, FIELDS } from '../../src/slack/ids';
import { workflowIdFor } from '../../src/shared/messages';
import { waitFor, type Harness } from '../support/harness';
import { CHANNEL, checklistWhen, clickChecklist, enterSecrets, startSlackWorld, stateWhen, submitThroughModal, users, type SlackWorld } from '../support/slack-world';
import { useWorld } from '../support/world';
import { report, sized } from './scale';

const { EventType } = temporal.api.enums.v1;
const SETUPS = sized(1, 5);

let h: Harness;
useWorld((w) => ({ h } = w));

/** The current setup's world; closed in the test, or here when the test failed first. */
let open: SlackWorld | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

/**
 * Delivers, after each new payload's first delivery, the two copies still owed of every
 * payload before it: late, newest first and concurrently.
 */
class LateCopies {
  private owed: SentRequest[] = [];
  private seen = 0;
  copies = 0;
  statuses = new Set<number>();

  constructor(private readonly driver: SlackDriver) {}

  async deliver(): Promise<void> {
    const fresh = this.driver.sent.slice(this.seen);
    this.seen = this.driver.sent.length;
    const due = this.owed.reverse();
    this.owed = fresh.flatMap((request) => [request, request]);
    // Slack signs each retry when it sends it, seconds after the first delivery; copies sent at
    // once here are signed as Slack's would be, 1 and 2 s on (the same signature twice would
    // be a replay, rightly refused).
    const answers = await Promise.all(
      due.map((request, i) => {
        const retryNum = (i % 2) + 1;
        return this.driver.redeliver(request, retryNum, { timestampOffsetSeconds: retryNum });
      }),
    );
    for (const a of answers) this.statuses.add(a.status);
    this.copies += answers.length;
  }

  async flush(): Promise<void> {
    await this.deliver();
    await this.deliver();
  }
}

test(`every Slack payload delivered three times, out of order, is applied once (${SETUPS} setups)`, async () => {
  const ids = Array.from({ length: SETUPS }, (_, i) => `thrice-${i}`);
  let payloads = 0;
  let copies = 0;
  const statuses = new Set<number>();
  // One Slack workspace (emulator, bot, worker) per setup, so its checklist is the channel's only one.
  for (const id of ids) {
    const world = await startSlackWorld(h);
    open = world;
    const driver = world.http as SlackDriver;
    const late = new LateCopies(driver);
    await world.worker.runUntil(async () => {
      const then = async (what: string, done: (v: SetupView) => boolean) => {
        await late.deliver();
        await stateWhen(world, id, done, `${id}: ${what}`);
      };
      expect((await world.driver.slash(users.alice, `start ${id}`, { channel: CHANNEL })).status).toBe(200);
      await late.deliver();
      // The bot starts the setup after its ack: until then there is no setup to read.
      await waitFor(() => world.setups.view(id).then(() => true, () => false), Boolean, `${id} to start`);
      await checklistWhen(world, (t) => t.includes(id) && t.includes(BUTTONS.confirmRedirect), 'the checklist');
      await clickChecklist(world, users.alice, BUTTONS.confirmRedirect);
      await then('the redirect URI', (v) => stepOf(v, 'application').status === 'done');
      await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
      await then('credentials', (v) => stepOf(v, 'sandbox_credentials').status === 'done');
      await submitThroughModal(world, users.alice, BUTTONS.openSettings, { [FIELDS.countryCodes]: ['US', 'GB'], [FIELDS.syncMode]: 'continuous' });
      await then('settings', (v) => stepOf(v, 'settings').status === 'done');
      await clickChecklist(world, users.alice, BUTTONS.runSandboxTest);
      await then('the Sandbox test', (v) => stepOf(v, 'sandbox_test').status === 'done');
      await clickChecklist(world, users.alice, BUTTONS.confirmCodat);
      await then('the Codat Portal', (v) => stepOf(v, 'codat_portal').status === 'done');
      await clickChecklist(world, users.alice, BUTTONS.requestProduction);
      await then('the request', (v) => v.production?.id !== undefined);
      const dm = world.slack.dmChannel(users.bob.id);
      const request = await waitFor(() => world.slack.messages(dm).find((m) => JSON.stringify(m.blocks).includes(id)), Boolean, `the approval request for ${id}`);
      expect((await world.driver.click(users.bob, { channel: dm, ts: request!.ts }, BUTTONS.approveProduction)).status).toBe(200);
      await then('the approval', (v) => v.production?.decision === 'approved');
      await enterSecrets(world, users.alice, BUTTONS.openProductionSecret, { [FIELDS.productionSecret]: h.client.secrets.production! });
      await then('the Production check', (v) => !v.job && stepOf(v, 'production_secret').status === 'in_progress');
      await clickChecklist(world, users.alice, BUTTONS.confirmCodat);
      await then('the Production secret in Codat', (v) => stepOf(v, 'production_secret').status === 'done');
      await clickChecklist(world, users.olga, BUTTONS.enable);
      await then('enabled', (v) => v.enabled);
      await late.flush();
      // Late copies may start work: let any of it reach history before counting.
      await stateWhen(world, id, (v) => !v.job && !v.codatCheck, `${id}: idle`);
      // The bot answers a copy before handling it: stopped while the worker still runs, its
      // last handlers finish (one reading the setup would otherwise wait for a worker).
      open = undefined;
      await world.close();
    });
    payloads += driver.sent.length;
    copies += late.copies;
    for (const status of late.statuses) statuses.add(status);
    // Ended, so the next setup's worker (the same task queue) does not publish it into the next workspace.
    await h.handle(id).terminate('its deliveries are done');
  }

  const expected = {
    confirmRedirect: 1,
    submitCredentials: 1,
    updateSettings: 1,
    runSandboxTest: 1,
    confirmCodat: 2,
    requestProduction: 1,
    approveProduction: 1,
    submitProductionSecret: 1,
    enable: 1,
  };
  for (const id of ids) {
    const runs: string[] = [];
    for await (const wf of h.temporal.workflow.list({ query: `WorkflowId = '${workflowIdFor(id)}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
    const events = (await h.handle(id).fetchHistory()).events ?? [];
    const accepted: Record<string, number> = {};
    for (const e of events) {
      if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) continue;
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name as string;
      accepted[name] = (accepted[name] ?? 0) + 1;
    }
    expect(accepted).toEqual(expected);
  }
  // Every copy passed the request guard and was answered as Slack expects.
  expect([...statuses]).toEqual([200]);
  report('Slack redelivery', `${payloads} payloads, ${copies} late copies over ${SETUPS} setups: each action applied once, answers ${[...statuses].join('/')}`);
}, sized(120_000, 600_000));
