/**
 * The Slack bot end to end: signed Slack payloads from the driver to the real bot, a real
 * Temporal dev server and worker, Plaid through its emulator, and what each person sees
 * in the Slack emulator. Only the CLI-path test sends updates to the workflow directly.
 */
import type { EmulatedUser } from '../src/emulators/slack';
import type { PlaidEmulator } from '../src/emulators/plaid';
import type { SetupView } from '../src/domain/state';
import { BUTTONS, FIELDS, HISTORY_EXPORTS } from '../src/slack/ids';
import { type Role } from '../src/shared/schemas';
import { fingerprint } from '../src/vault/vault';
import { type Harness, actors, journeyToProductionRequest, newSecret, waitFor } from './support/harness';
import {
  CHANNEL,
  checklistWhen,
  clickChecklist,
  postedChecklists,
  privateTo,
  startSlackWorld,
  stateWhen,
  enterSecrets,
  submitThroughModal,
  users,
  type SlackWorld,
} from './support/slack-world';
import { useWorld } from './support/world';
import { COMMAND_ACTIONS, declarationOf, type ActionName } from '../src/shared/actions';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

let world: SlackWorld;
afterEach(async () => {
  await world?.close();
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

/** Clicks a checklist button once the message offers it (the message is updated asynchronously). */
const click = (user: EmulatedUser, actionId: string) => clickChecklist(world, user, actionId);
/** Opens a modal from the checklist and submits it. */
const throughModal = (user: EmulatedUser, button: string, values: Record<string, string | string[] | undefined>) => submitThroughModal(world, user, button, values);
/** What `user` was told privately (ephemeral messages and response_url answers). */
const toldTo = (user: EmulatedUser) => privateTo(world, user);

test('a setup goes from /plaid-setup start to enabled through Slack alone', async () => {
  world = await startSlackWorld(h);
  const sandboxSecret = h.client.secrets.sandbox;
  const productionSecret = h.client.secrets.production!;
  await world.worker.runUntil(async () => {
    const started = await world.driver.slash(users.alice, 'start acme', { channel: CHANNEL });
    expect(started.status).toBe(200);
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist with its first button');
    // The answer comes once the worker accepted the start; the checklist may be posted first.
    await waitFor(() => toldTo(users.alice), (t) => t.includes('Started setup *acme*'), 'the answer to start');

    await click(users.alice, BUTTONS.confirmRedirect);
    await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'the credentials button');

    // The secrets go through a one-time link to the bot's own form, never through Slack.
    const creds = await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: sandboxSecret });
    expect(creds).toMatchObject({ status: 200, text: expect.stringContaining('Saved to the vault') });
    await stateWhen(world, 'acme', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials saved');

    await throughModal(users.alice, BUTTONS.openSettings, { [FIELDS.countryCodes]: ['US', 'GB'], [FIELDS.syncMode]: 'continuous' });
    await stateWhen(world, 'acme', (v) => stepOf(v, 'settings').status === 'done', 'settings saved');

    await checklistWhen(world, (t) => t.includes(BUTTONS.runSandboxTest), 'the Sandbox test button');
    await click(users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'acme', (v) => stepOf(v, 'sandbox_test').status === 'done', 'the Sandbox test');
    // The evidence reaches the checklist message.
    await checklistWhen(world, (t) => t.includes('First Platypus Bank'), 'the Sandbox evidence on the checklist');

    await click(users.alice, BUTTONS.confirmCodat);
    await checklistWhen(world, (t) => t.includes(BUTTONS.requestProduction), 'the production request button');
    await click(users.alice, BUTTONS.requestProduction);

    // Approvers (the user group: Bob and Carol) get a direct message with the decision buttons.
    const request = await waitFor(
      () => world.slack.messages(world.slack.dmChannel(users.bob.id)),
      (m) => m.length > 0,
      'the approval request to Bob',
    );
    expect(JSON.stringify(request[0]!.blocks)).toContain(BUTTONS.approveProduction);
    expect(world.slack.messages(world.slack.dmChannel(users.carol.id))).toHaveLength(1);
    const approved = await world.driver.click(users.bob, { channel: request[0]!.channel, ts: request[0]!.ts }, BUTTONS.approveProduction);
    expect(approved.status).toBe(200);
    await stateWhen(world, 'acme', (v) => v.production?.decision === 'approved', 'the approval');
    // Every approval message now shows who decided, without buttons.
    await waitFor(
      () => [users.bob, users.carol].map((u) => JSON.stringify(world.slack.messages(world.slack.dmChannel(u.id))[0]?.blocks)),
      (texts) => texts.every((t) => t.includes('*Approved* by bob') && !t.includes(BUTTONS.approveProduction)),
      'the approval messages to show the decision',
    );

    await checklistWhen(world, (t) => t.includes(BUTTONS.openProductionSecret), 'the Production secret button');
    await enterSecrets(world, users.alice, BUTTONS.openProductionSecret, { [FIELDS.productionSecret]: productionSecret });
    await stateWhen(world, 'acme', (v) => !v.job && stepOf(v, 'production_secret').status === 'in_progress', 'the Production check');
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmCodat), 'the confirm button for the Production secret');
    await click(users.alice, BUTTONS.confirmCodat);
    await checklistWhen(world, (t) => t.includes(BUTTONS.enable), 'the enable button');
    await click(users.olga, BUTTONS.enable);
    const enabled = await stateWhen(world, 'acme', (v) => v.enabled, 'enabled');
    expect(enabled.currentStep).toBeNull();
    await checklistWhen(world, (t) => t.includes(BUTTONS.disable), 'the checklist to offer disable');
  });

  // One message, updated in place, at most about once a second (changes in between coalesce).
  const checklist = postedChecklists(world);
  expect(checklist).toHaveLength(1);
  const updates = world.slack.callsTo('chat.update').filter((c) => c.args.ts === checklist[0]!.ts && c.ok).map((c) => Date.parse(c.at));
  expect(updates.length).toBeGreaterThan(5);
  const gaps = updates.slice(1).map((t, i) => t - updates[i]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);

  // Secrets went to the vault, never through Slack's API or a response_url.
  const recorded = JSON.stringify([world.slack.calls, world.driver.responses, world.slack.messages(), h.logLines]);
  for (const secret of [sandboxSecret, productionSecret]) expect(recorded).not.toContain(secret);
  expect(recorded).toContain('sha256:');
  expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
});

test('the checklist waits out its one-second throttle only when a change comes within it', async () => {
  world = await startSlackWorld(h);
  const throttles = async () => (await h.timersStarted('paced')).filter((ms) => ms <= 1000).length;
  const updatesOf = () => world.slack.callsTo('chat.update').filter((c) => c.ok).length;
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start paced', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    // A change more than a second after the last update is shown at once, with no timer.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await click(users.alice, BUTTONS.confirmRedirect);
    await checklistWhen(world, (t) => !t.includes(BUTTONS.confirmRedirect), 'the checklist after the click');
    expect(await throttles()).toBe(0);

    // Changes close together: the second waits for the rest of the second, and they coalesce.
    const before = updatesOf();
    await h.act('paced', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('paced', 'sandbox') });
    await h.act('paced', 'updateSettings', { actor: actors.alice, syncMode: 'one-off' });
    await h.act('paced', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await waitFor(updatesOf, (n) => n > before, 'the checklist updated');
    // Time for any further update to land (there should be at most one more).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(updatesOf() - before).toBeLessThanOrEqual(2);
    expect(await throttles()).toBeLessThanOrEqual(1);
  });
});

test('forged, stale and replayed requests are refused, recorded, and change nothing', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start guarded', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    const before = await world.setups.view('guarded');

    const forged = await world.http!.send('command=%2Fplaid-setup&text=cancel+guarded&user_id=U0ALICE', 'application/x-www-form-urlencoded', { forgeSignature: true });
    expect(forged.status).toBe(401);
    const stale = await world.http!.send('command=%2Fplaid-setup&text=cancel+guarded&user_id=U0ALICE', 'application/x-www-form-urlencoded', { timestampOffsetSeconds: -600 });
    expect(stale.status).toBe(401);

    await click(users.alice, BUTTONS.confirmRedirect);
    const after = await stateWhen(world, 'guarded', (v) => stepOf(v, 'application').status === 'done', 'the click');
    const replay = await world.http!.replayLast();
    expect(replay.status).toBe(401);
    // Give a wrongly accepted replay time to land before looking.
    await new Promise((r) => setTimeout(r, 500));
    expect((await world.setups.view('guarded')).version).toBe(after.version);
    expect(after.version).toBe(before.version + 1);
  });
  const kinds = (await world.security.list()).map((e) => e.kind);
  expect(kinds).toEqual(['forged_request', 'stale_request', 'replayed_request']);
});

test('a double click is applied once', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start twice', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    const ts = postedChecklists(world)[0]!.ts;
    const [first, second] = await Promise.all([
      world.driver.click(users.alice, { channel: CHANNEL, ts }, BUTTONS.confirmRedirect),
      world.driver.click(users.alice, { channel: CHANNEL, ts }, BUTTONS.confirmRedirect),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await stateWhen(world, 'twice', (v) => stepOf(v, 'application').status === 'done', 'the click');
    await new Promise((r) => setTimeout(r, 500));
  });
  // One accepted update in history, and nobody was told "already confirmed".
  const history = await h.historyJson('twice');
  expect(history.match(/workflowExecutionUpdateAcceptedEventAttributes/g)).toHaveLength(1);
  expect(toldTo(users.alice)).not.toMatch(/already confirmed/);
});

describe('roles are checked at every click', () => {
  test('someone without the role gets an ephemeral explanation, and the denial is recorded', async () => {
    world = await startSlackWorld(h);
    await world.worker.runUntil(async () => {
      await world.driver.slash(users.alice, 'start roles', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      for (const user of [users.dave, users.mallory, users.bob]) {
        await click(user, BUTTONS.confirmRedirect);
        await waitFor(() => toldTo(user), (t) => t.includes('needs the operator role'), `the explanation to ${user.name}`);
      }
      const denied = await world.driver.slash(users.mallory, 'start sneaky', { channel: CHANNEL });
      expect(denied.status).toBe(200);
      expect((await world.setups.view('roles')).steps[0]!.status).toBe('waiting');
      await expect(world.setups.view('sneaky')).rejects.toThrow(/no setup named "sneaky"/);
    });
    const events = await world.security.list();
    expect(events.map((e) => [e.kind, e.actor, e.action])).toEqual([
      ['denied', users.dave.id, 'confirmRedirect'],
      ['denied', users.mallory.id, 'confirmRedirect'],
      ['denied', users.bob.id, 'confirmRedirect'],
      // A refused start is recorded as a start, not as the first action of the checklist.
      ['denied', users.mallory.id, 'start'],
    ]);
  });

  test('the requester cannot approve their own production request', async () => {
    world = await startSlackWorld(h);
    await world.worker.runUntil(async () => {
      await world.driver.slash(users.carol, 'start self', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      await click(users.carol, BUTTONS.confirmRedirect);
      await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'credentials');
      await enterSecrets(world, users.carol, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
      await stateWhen(world, 'self', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials');
      await throughModal(users.carol, BUTTONS.openSettings, { [FIELDS.syncMode]: 'one-off' });
      await stateWhen(world, 'self', (v) => stepOf(v, 'settings').status === 'done', 'settings');
      await checklistWhen(world, (t) => t.includes(BUTTONS.runSandboxTest), 'test button');
      await click(users.carol, BUTTONS.runSandboxTest);
      await stateWhen(world, 'self', (v) => stepOf(v, 'sandbox_test').status === 'done', 'sandbox test');
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmCodat), 'confirm');
      await click(users.carol, BUTTONS.confirmCodat);
      await checklistWhen(world, (t) => t.includes(BUTTONS.requestProduction), 'request');
      await click(users.carol, BUTTONS.requestProduction);
      const dm = await waitFor(() => world.slack.messages(world.slack.dmChannel(users.carol.id)), (m) => m.length > 0, 'Carol’s approval request');
      await world.driver.click(users.carol, { channel: dm[0]!.channel, ts: dm[0]!.ts }, BUTTONS.approveProduction);
      await waitFor(() => toldTo(users.carol), (t) => t.includes('requested production and cannot also decide on it'), 'the four-eyes refusal');
      expect((await world.setups.view('self')).production?.decision).toBeUndefined();
    });
    expect((await world.security.list()).map((e) => e.kind)).toEqual(['secret_link_issued', 'secret_link_used', 'rejected']);
  });
});

test('modal field errors go back with response_action errors; nothing is stored or changed', async () => {
  world = await startSlackWorld(h, { secretEntry: 'modal' });
  const typed = newSecret().slice(0, 20);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start fields', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    await click(users.alice, BUTTONS.confirmRedirect);
    await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'credentials');
    const before = await world.setups.view('fields');
    const refused = await throughModal(users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: 'not-a-client-id', [FIELDS.sandboxSecret]: typed });
    expect(refused.json).toMatchObject({ response_action: 'errors', errors: { [FIELDS.clientId]: expect.any(String), [FIELDS.sandboxSecret]: expect.any(String) } });
    expect(refused.body).not.toContain(typed);
    expect((await world.setups.view('fields')).version).toBe(before.version);
  });
  expect(await h.vault.itemLedger().pending('fields')).toEqual([]);
  expect(JSON.stringify(world.slack.calls)).not.toContain(typed);
});

describe('every role × action pair, through /plaid-setup', () => {
  const SUBCOMMANDS: Array<[string, ActionName]> = [...COMMAND_ACTIONS];

  /** What the bot answered one slash command, through its response_url. */
  async function answer(user: EmulatedUser, text: string): Promise<string> {
    const { responseUrl, status } = await world.driver.slash(user, text, { channel: CHANNEL });
    expect(status).toBe(200);
    const posted = await waitFor(() => world.driver.responses.filter((r) => r.url === responseUrl), (r) => r.length > 0, `the answer to ${text}`);
    return JSON.stringify(posted[0]!.body);
  }

  test('each action is refused, and recorded, exactly for those without its role', async () => {
    world = await startSlackWorld(h);
    const people: Array<[EmulatedUser, Role[]]> = [
      [users.alice, ['operator']],
      [users.bob, ['approver']],
      [users.dave, ['auditor']],
      [users.mallory, []],
    ];
    const denials: string[] = [];
    await world.worker.runUntil(async () => {
      await world.driver.slash(users.alice, 'start matrix', { channel: CHANNEL });
      await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
      for (const [sub, action] of SUBCOMMANDS) {
        // These two would act on the fresh setup; the journey covers them for operators.
        if (action === 'cancel' || action === 'confirmRedirect') continue;
        for (const [user, roles] of people) {
          const text = await answer(user, `${sub} matrix`);
          const role = declarationOf(action).role;
          const denied = text.includes(`needs the ${role} role`);
          expect({ sub, user: user.name, denied }).toEqual({ sub, user: user.name, denied: !roles.includes(role) });
          if (denied) denials.push(`${user.id} ${action}`);
        }
      }
      for (const [user] of people.slice(1)) {
        expect(await answer(user, 'cancel matrix')).toContain('needs the operator role');
        expect(await answer(user, 'confirm-redirect matrix')).toContain('needs the operator role');
        denials.push(`${user.id} cancel`, `${user.id} confirmRedirect`);
      }
      expect((await world.setups.view('matrix')).status).toBe('active');
    });
    const recorded = (await world.security.list()).filter((e) => e.kind === 'denied').map((e) => `${e.actor} ${e.action}`);
    expect(recorded.sort()).toEqual(denials.sort());
  });
});

test('help, unknown input and status answer ephemerally', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    for (const text of ['help', 'frobnicate acme', '']) {
      const { responseUrl } = await world.driver.slash(users.dave, text, { channel: CHANNEL });
      const [posted] = await waitFor(() => world.driver.responses.filter((r) => r.url === responseUrl), (r) => r.length > 0, `help for "${text}"`);
      expect(posted!.body).toMatchObject({ response_type: 'ephemeral' });
      expect(JSON.stringify(posted!.body)).toContain('start');
    }
    expect(JSON.stringify(world.driver.responses)).toContain('\\"frobnicate\\" is not a /plaid-setup subcommand');
    await world.driver.slash(users.alice, 'start shown', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    const { responseUrl } = await world.driver.slash(users.dave, 'status shown', { channel: CHANNEL });
    const [status] = await waitFor(() => world.driver.responses.filter((r) => r.url === responseUrl), (r) => r.length > 0, 'the status');
    expect(status!.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(status!.body)).toContain('Plaid application');
  });
});

test('status and list need a role: someone without one is refused, told which variables, and recorded', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start private', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    for (const text of ['status private', 'list']) {
      const { responseUrl } = await world.driver.slash(users.mallory, text, { channel: CHANNEL });
      const [answer] = await waitFor(() => world.driver.responses.filter((r) => r.url === responseUrl), (r) => r.length > 0, `the answer to ${text}`);
      const said = JSON.stringify(answer!.body);
      expect(said).toContain("You can't see setups: that needs a plaid-setup role");
      expect(said).toContain('PLAID_SETUP_OPERATORS, PLAID_SETUP_APPROVERS, PLAID_SETUP_AUDITORS');
      expect(said).not.toContain('Plaid application');
      expect(said).not.toContain('private*');
    }
  });
  expect((await world.security.list()).map((e) => [e.kind, e.actor, e.action])).toEqual([
    ['denied', users.mallory.id, 'status'],
    ['denied', users.mallory.id, 'list'],
  ]);
});

test('a replayed Approve of a superseded request is refused; every message with its buttons, reminders included, is closed', async () => {
  world = await startSlackWorld(h);
  const dm = () => world.slack.messages(world.slack.dmChannel(users.bob.id));
  const blocksOf = (m: { channel: string; ts: string }) => JSON.stringify(world.slack.message(m.channel, m.ts)?.blocks);
  const toRequest = async () => {
    await h.act('moving', 'runSandboxTest', { actor: actors.alice });
    await h.until('moving', (s) => !s.job, 'the Sandbox test');
    await h.act('moving', 'confirmCodat', { actor: actors.alice });
    await h.act('moving', 'requestProduction', { actor: actors.alice });
  };
  await world.worker.runUntil(async () => {
    await h.start('moving', { reminderAfterMs: 1_500 });
    await journeyToProductionRequest(h, 'moving', ['US']);
    await h.act('moving', 'requestProduction', { actor: actors.alice });
    const [request] = await waitFor(dm, (m) => m.length > 0, 'the request to Bob');
    expect(blocksOf(request!)).toContain('moving/pr-1');
    // While it waits, Bob is reminded, and the reminder carries the buttons too.
    const reminder = await waitFor(() => dm().find((m) => JSON.stringify(m.blocks).includes('Reminder')), Boolean, 'a reminder to Bob');
    expect(JSON.stringify(reminder!.blocks)).toContain(BUTTONS.approveProduction);

    // The countries change: pr-1 no longer stands, and no message still offers to decide it.
    const aboutFirst = dm();
    await h.act('moving', 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'CA'], syncMode: 'continuous' });
    await waitFor(
      () => aboutFirst.map(blocksOf),
      (texts) => texts.length >= 2 && texts.every((t) => t.includes('No longer valid') && !t.includes(BUTTONS.approveProduction)),
      'every message about pr-1 to be closed',
    );

    await toRequest();
    const second = await waitFor(() => dm().find((m) => JSON.stringify(m.blocks).includes('moving/pr-2')), Boolean, 'the request for pr-2');
    // Bob's client sends the old button's payload (pr-1) again, on a message that still has buttons.
    const replayed = await world.driver.click(users.bob, { channel: second!.channel, ts: second!.ts }, BUTTONS.approveProduction, { value: 'moving/pr-1' });
    expect(replayed.status).toBe(200);
    await waitFor(() => toldTo(users.bob), (t) => t.includes('That decision is for production request pr-1, which is no longer waiting'), 'the refusal of the stale button');
    expect((await world.setups.view('moving')).production).toMatchObject({ id: 'pr-2', subject: { countryCodes: ['US', 'CA'] } });
    expect((await world.setups.view('moving')).production?.decision).toBeUndefined();

    await world.driver.click(users.bob, { channel: second!.channel, ts: second!.ts }, BUTTONS.approveProduction);
    await stateWhen(world, 'moving', (v) => v.production?.decision === 'approved', 'the approval of pr-2');
  });
});

test('a secret submitted while no worker answers stays in the vault, and the person is told the outcome is unknown', async () => {
  world = await startSlackWorld(h, { updateTimeoutMs: 2_000, secretEntry: 'modal' });
  const secret = h.client.secrets.sandbox;
  let modal: { id: string } | undefined;
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start offline', { channel: CHANNEL });
    await click(users.alice, BUTTONS.confirmRedirect);
    await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'the credentials button');
    await click(users.alice, BUTTONS.openCredentials);
    modal = await waitFor(() => world.slack.openViews(users.alice.id)[0], Boolean, 'the credentials modal');
  });
  // The worker has stopped: Temporal holds the update, nobody answers within the bot's wait.
  const submitted = await world.driver.submit(users.alice, modal!.id, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: secret });
  expect(submitted.status).toBe(200);
  await waitFor(() => toldTo(users.alice), (t) => t.includes('submitCredentials was sent to offline but the setup did not answer within 2 s'), 'the unknown outcome');
  expect(toldTo(users.alice)).toMatch(/The secret sha256:[0-9a-f]{12} stays in the vault, as the setup may already use it\. Check with: \/plaid-setup status offline/);
  expect((await h.vault.reveal({ ref: 'vault:offline/sandbox/v1', fingerprint: fingerprint(secret) }, { setupId: 'offline', kind: 'sandbox' })).value).toBe(secret);

  // Back online, the workflow takes the update it held, and its secret is there.
  const worker = await h.worker();
  await worker.runUntil(() => h.until('offline', (s) => s.data.sandboxSecret?.ref === 'vault:offline/sandbox/v1', 'the late credentials'));
  expect(JSON.stringify(world.slack.calls)).not.toContain(secret);
});

test('a stopping bot lets a handler still running after its ack finish, and the person is told', async () => {
  world = await startSlackWorld(h, { updateTimeoutMs: 2_000 });
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start draining', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
  });
  // No worker: the click is acked at once, and its handler waits 2 s for the Update.
  const ts = postedChecklists(world)[0]!.ts;
  expect((await world.driver.click(users.alice, { channel: CHANNEL, ts }, BUTTONS.confirmRedirect)).status).toBe(200);
  await world.bot.stop();
  // stop() returned only once the handler had told Alice how it ended.
  expect(toldTo(users.alice)).toContain('did not answer within 2 s');
});

test('App Home lists the setups a user can see, with their next step', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start homely', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    for (const user of [users.dave, users.mallory]) {
      // App Home events arrive over HTTP here; Socket Mode carries the same envelope.
      const event = {
        token: world.http!.verificationToken,
        team_id: world.slack.team.id,
        api_app_id: world.slack.appId,
        type: 'event_callback',
        event_id: `Ev${user.id}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_home_opened', user: user.id, channel: world.slack.dmChannel(user.id), tab: 'home', event_ts: `${Date.now() / 1000}` },
      };
      expect((await world.http!.send(JSON.stringify(event), 'application/json')).status).toBe(200);
    }
    const home = await waitFor(() => world.slack.homeView(users.dave.id), Boolean, "Dave's App Home");
    expect(JSON.stringify(home)).toContain('homely');
    const nobody = await waitFor(() => world.slack.homeView(users.mallory.id), Boolean, "Mallory's App Home");
    expect(JSON.stringify(nobody)).not.toContain('homely');
  });
});

test('approvals go to the approvals channel when set; reject asks for a reason; expiry reaches the same message', async () => {
  const approvals = 'C0APPROVALS';
  world = await startSlackWorld(h, { approvalsChannel: approvals, approvalTimeoutMs: 4_000 });
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start gated', { channel: CHANNEL });
    await click(users.alice, BUTTONS.confirmRedirect);
    await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    await stateWhen(world, 'gated', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials');
    await throughModal(users.alice, BUTTONS.openSettings, { [FIELDS.syncMode]: 'continuous' });
    await stateWhen(world, 'gated', (v) => stepOf(v, 'settings').status === 'done', 'settings');
    await click(users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'gated', (v) => stepOf(v, 'sandbox_test').status === 'done', 'sandbox test');
    await click(users.alice, BUTTONS.confirmCodat);
    await click(users.alice, BUTTONS.requestProduction);

    const [request] = await waitFor(() => world.slack.messages(approvals), (m) => m.length > 0, 'the request in the approvals channel');
    expect(world.slack.messages(world.slack.dmChannel(users.bob.id))).toHaveLength(0);
    await world.driver.click(users.bob, { channel: approvals, ts: request!.ts }, BUTTONS.openReject);
    const modal = await waitFor(() => world.slack.openViews(users.bob.id)[0], Boolean, 'the reject modal');
    const noReason = await world.driver.submit(users.bob, modal!.id, { [FIELDS.reason]: 'no' });
    expect(noReason.json).toMatchObject({ response_action: 'errors', errors: { [FIELDS.reason]: expect.any(String) } });
    await world.driver.submit(users.bob, modal!.id, { [FIELDS.reason]: 'Plaid has not approved the app yet' });
    await stateWhen(world, 'gated', (v) => v.production?.decision === 'rejected', 'the rejection');
    await waitFor(() => JSON.stringify(world.slack.message(approvals, request!.ts)?.blocks), (t) => !!t?.includes('*Rejected* by bob'), 'the request to show the rejection');

    // A second request, left to expire: the same channel hears of it.
    await click(users.alice, BUTTONS.requestProduction);
    const second = await waitFor(() => world.slack.messages(approvals), (m) => m.length > 1, 'the second request');
    const ts = second.at(-1)!.ts;
    await waitFor(() => JSON.stringify(world.slack.message(approvals, ts)?.blocks), (t) => !!t?.includes('*Expired*'), 'the request to show it expired');
    expect(JSON.stringify(world.slack.message(approvals, ts)?.blocks)).not.toContain(BUTTONS.approveProduction);
  });
});

test('an undecided request is escalated by direct message to the escalation approvers, whose buttons decide it and then close', async () => {
  world = await startSlackWorld(h, { escalation: { approvers: [users.carol.id], afterMs: 1_500 } });
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start escalate', { channel: CHANNEL });
    await click(users.alice, BUTTONS.confirmRedirect);
    await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    await stateWhen(world, 'escalate', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials');
    await throughModal(users.alice, BUTTONS.openSettings, { [FIELDS.syncMode]: 'continuous' });
    await stateWhen(world, 'escalate', (v) => stepOf(v, 'settings').status === 'done', 'settings');
    await click(users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'escalate', (v) => stepOf(v, 'sandbox_test').status === 'done', 'sandbox test');
    await click(users.alice, BUTTONS.confirmCodat);
    await click(users.alice, BUTTONS.requestProduction);

    const carol = world.slack.dmChannel(users.carol.id);
    const messages = await waitFor(() => world.slack.messages(carol), (m) => m.length > 1, 'the escalation to Carol');
    const escalation = messages.at(-1)!;
    expect(escalation.text).toMatch(/^Escalated: the production request for escalate by alice is still undecided/);
    expect(JSON.stringify(escalation.blocks)).toContain(BUTTONS.approveProduction);
    // Bob, not an escalation approver, has only the first request.
    expect(world.slack.messages(world.slack.dmChannel(users.bob.id))).toHaveLength(1);

    await world.driver.click(users.carol, { channel: carol, ts: escalation.ts }, BUTTONS.approveProduction);
    await stateWhen(world, 'escalate', (v) => v.production?.decision === 'approved', 'the approval from the escalation');
    await waitFor(
      () => JSON.stringify(world.slack.message(carol, escalation.ts)?.blocks),
      (t) => !!t?.includes('*Approved* by carol') && !t.includes(BUTTONS.approveProduction),
      'the escalation message to show the decision',
    );
  });
});

test('a failed check shows on the checklist with what to do; rate-limited updates are retried by Temporal after Retry-After', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start bumpy', { channel: CHANNEL });
    await click(users.alice, BUTTONS.confirmRedirect);
    await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: newSecret() });
    await stateWhen(world, 'bumpy', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials');
    await throughModal(users.alice, BUTTONS.openSettings, { [FIELDS.syncMode]: 'continuous' });
    await stateWhen(world, 'bumpy', (v) => stepOf(v, 'settings').status === 'done', 'settings');
    world.slack.inject('chat.update', 'ratelimited', { times: 2, retryAfterSeconds: 1 });
    await click(users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'bumpy', (v) => stepOf(v, 'sandbox_test').status === 'failed', 'the failed test');
    const message = await checklistWhen(world, (t) => t.includes('INVALID_API_KEYS'), 'the failure on the checklist');
    expect(JSON.stringify(message!.blocks)).toMatch(/What to do:\*? Copy the client_id and the Sandbox secret again/);
    const updates = world.slack.callsTo('chat.update').map((c) => c.error ?? 'ok');
    expect(updates.filter((e) => e === 'ratelimited')).toHaveLength(2);
    expect(updates.at(-1)).toBe('ok');
  });
});

test('reminders reach the checklist thread while a step waits on an operator', async () => {
  world = await startSlackWorld(h, { reminderAfterMs: 1_000 });
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start sleepy', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    const ts = postedChecklists(world)[0]!.ts;
    const [reminder] = await waitFor(() => world.slack.messages(CHANNEL).filter((m) => m.threadTs === ts), (m) => m.length > 0, 'a reminder in the thread');
    expect(JSON.stringify(reminder!.blocks)).toMatch(/Reminder.*sleepy.*operators/);
  });
});

test('a setup started from the CLI still asks approvers in Slack, and shows them the decision', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    // The CLI's path: updates straight to the workflow, no checklist channel.
    await h.start('terminal');
    await h.act('terminal', 'confirmRedirect', { actor: actors.alice });
    await h.act('terminal', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('terminal', 'sandbox') });
    await h.act('terminal', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('terminal', 'runSandboxTest', { actor: actors.alice });
    await h.until('terminal', (s) => !s.job, 'the Sandbox test');
    await h.act('terminal', 'confirmCodat', { actor: actors.alice });
    await h.act('terminal', 'requestProduction', { actor: actors.alice });

    const [request] = await waitFor(() => world.slack.messages(world.slack.dmChannel(users.bob.id)), (m) => m.length > 0, 'the request to Bob');
    await world.driver.click(users.bob, { channel: request!.channel, ts: request!.ts }, BUTTONS.approveProduction);
    await waitFor(
      () => JSON.stringify(world.slack.message(request!.channel, request!.ts)?.blocks),
      (t) => !!t?.includes('*Approved* by bob') && !t.includes(BUTTONS.approveProduction),
      'the request to show the decision',
    );
    expect(world.slack.messages(CHANNEL)).toEqual([]);
  });
});

test('/plaid-setup history gives auditors and operators the record and the full export as a file; others are refused and recorded', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start audited', { channel: CHANNEL });
    await click(users.alice, BUTTONS.confirmRedirect);
    await stateWhen(world, 'audited', (v) => stepOf(v, 'application').status === 'done', 'the redirect confirmed');
  });
  const history = async (user: EmulatedUser, text: string) => {
    const { responseUrl } = await world.driver.slash(user, text, { channel: CHANNEL });
    const [posted] = await waitFor(() => world.driver.responses.filter((r) => r.url === responseUrl), (r) => r.length > 0, `the answer to ${text}`);
    return posted!.body as { response_type: string; text: string; blocks?: unknown[] };
  };

  const summary = await history(users.dave, 'history audited');
  expect(summary.response_type).toBe('ephemeral');
  const shown = JSON.stringify(summary.blocks);
  expect(shown).toContain('Audit record: audited');
  expect(shown).toContain('alice (U0ALICE) · *confirmRedirect (application): accepted*');
  expect((await history(users.olga, 'history audited')).text).toMatch(/^Audit record of audited: \d+ events/);

  // The CSV button sends the whole record to Dave in a direct message.
  const offered = await waitFor(
    () => world.slack.ephemeralMessages(users.dave.id).filter((m) => JSON.stringify(m.blocks).includes(HISTORY_EXPORTS.csv)),
    (m) => m.length > 0,
    'the history summary with its export buttons',
  );
  // An app installed before files:write was added: told what to fix, nothing sent.
  world.slack.inject('files.getUploadURLExternal', 'missing_scope');
  await world.driver.click(users.dave, { channel: offered[0]!.channel, ts: offered[0]!.ts }, HISTORY_EXPORTS.csv);
  await waitFor(() => toldTo(users.dave), (t) => t.includes('this Slack app lacks the files:write scope'), 'the missing scope explained');
  expect(world.slack.uploadedFiles()).toHaveLength(0);
  const clicked = await world.driver.click(users.dave, { channel: offered[0]!.channel, ts: offered[0]!.ts }, HISTORY_EXPORTS.csv);
  expect(clicked.status).toBe(200);
  const [file] = await waitFor(() => world.slack.uploadedFiles().filter((f) => f.completed), (f) => f.length > 0, 'the uploaded export');
  expect(file).toMatchObject({ filename: 'plaid-setup-audit-audited.csv', channelId: world.slack.dmChannel(users.dave.id) });
  const csv = file!.content.toString('utf8');
  expect(csv.split('\r\n')[0]).toBe('time,setup,source,actor,action,step,outcome,detail');
  expect(csv).toContain('confirmRedirect');
  await waitFor(() => toldTo(users.dave), (t) => t.includes('Sent the audit record of *audited* (CSV'), 'the confirmation');

  // Approvers and people with no role are refused, and each refusal is a security event.
  for (const user of [users.bob, users.mallory]) {
    expect((await history(user, 'history audited')).text).toMatch(/You can't read audit records: that needs the auditor or operator role/);
  }
  const denials = (await world.security.list({ setupId: 'audited' })).filter((e) => e.action === 'history');
  expect(denials.map((e) => e.actor)).toEqual([users.bob.id, users.mallory.id]);
  expect((await history(users.dave, 'history nowhere')).text).toMatch(/There is no setup named "nowhere"/);
  expect((await history(users.dave, 'history')).text).toMatch(/Say which setup: `\/plaid-setup history &lt;name&gt;`/);
  expect(world.slack.uploadedFiles()).toHaveLength(1);
});

test('Socket Mode: the same bot, reached over the socket, runs a setup through its first steps', async () => {
  world = await startSlackWorld(h, { socketMode: true, secretEntry: 'modal' });
  expect(world.bot.mode).toBe('socket');
  await world.worker.runUntil(async () => {
    const started = await world.driver.slash(users.alice, 'start socket', { channel: CHANNEL });
    expect(started.status).toBe(200);
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    await click(users.alice, BUTTONS.confirmRedirect);
    const refused = await throughModal(users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: 'nope', [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    expect(refused.json).toMatchObject({ response_action: 'errors', errors: { [FIELDS.clientId]: expect.any(String) } });
    const modal = world.slack.openViews(users.alice.id)[0]!;
    await world.driver.submit(users.alice, modal.id, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    await stateWhen(world, 'socket', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials over the socket');
    await click(users.mallory, BUTTONS.openSettings);
    await waitFor(() => toldTo(users.mallory), (t) => t.includes('needs the operator role'), 'the denial over the socket');
  });
  expect(JSON.stringify(world.slack.calls)).not.toContain(h.client.secrets.sandbox);
});
