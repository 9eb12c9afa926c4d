/**
 * Fault matrix (issue 14, item 2): the Slack Web API down for ten minutes (a reduced 30 s in
 * `npm test`). While every Web API call answers 503, the operator requests production and an
 * approver approves from the CLI; once Slack is back, the checklist message shows the
 * approval (updated in place, not posted again) and each approver's direct message arrives
 * and shows the decision instead of the buttons.
 */
import type { SetupView } from '../../src/domain/state';
import { BUTTONS, FIELDS } from '../../src/slack/ids';
import { actors, waitFor, type Harness } from '../support/harness';
import { CHANNEL, checklistWhen, clickChecklist, enterSecrets, postedChecklists, startSlackWorld, stateWhen, submitThroughModal, users, type SlackWorld } from '../support/slack-world';
import { useWorld } from '../support/world';
import { report, sized } from './scale';

const OUTAGE_MS = sized(30_000, 600_000);

let h: Harness;
useWorld((w) => ({ h } = w));

let world: SlackWorld;
afterEach(async () => {
  await world?.close();
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

test(`Slack down for ${OUTAGE_MS / 1000} s: the checklist and the approval messages catch up after`, async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    expect((await world.driver.slash(users.alice, 'start outage', { channel: CHANNEL })).status).toBe(200);
    await clickChecklist(world, users.alice, BUTTONS.confirmRedirect);
    await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    await stateWhen(world, 'outage', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials');
    await submitThroughModal(world, users.alice, BUTTONS.openSettings, { [FIELDS.syncMode]: 'continuous' });
    await clickChecklist(world, users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'outage', (v) => stepOf(v, 'sandbox_test').status === 'done', 'the Sandbox test');
    await clickChecklist(world, users.alice, BUTTONS.confirmCodat);
    await checklistWhen(world, (t) => t.includes(BUTTONS.requestProduction), 'the checklist before the outage');

    world.slack.setDown(true);
    const down = Date.now();
    // Slack is down, so people act from the CLI.
    await h.act('outage', 'requestProduction', { actor: actors.alice });
    await h.act('outage', 'approveProduction', { actor: actors.bob });
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - down)));
    const refused = world.slack.calls.filter((c) => c.error === 'service_unavailable').length;
    world.slack.setDown(false);
    const back = Date.now();

    await checklistWhen(world, (t) => t.includes(BUTTONS.openProductionSecret) && t.includes('approved by Bob'), 'the checklist to show the approval');
    const dms = [users.bob, users.carol].map((u) => world.slack.dmChannel(u.id));
    await waitFor(
      () => dms.map((dm) => world.slack.messages(dm).map((m) => JSON.stringify(m.blocks))),
      (texts) => texts.every((t) => t.length === 1 && t[0]!.includes('*Approved* by') && !t[0]!.includes(BUTTONS.approveProduction)),
      'each approver to have one message showing the decision',
    );
    const caughtUp = ((Date.now() - back) / 1000).toFixed(1);
    expect(postedChecklists(world)).toHaveLength(1);
    expect(refused).toBeGreaterThan(0);
    report('Slack down', `${OUTAGE_MS / 1000} s outage, ${refused} Web API calls refused with 503; checklist and ${dms.length} approval messages caught up ${caughtUp} s after Slack came back`);
  });
}, OUTAGE_MS + 240_000);
