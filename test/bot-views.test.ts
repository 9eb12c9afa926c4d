/**
 * The bot's Block Kit builders and modal parsers, over states walked through the real
 * checklist rules: buttons match the allowed actions, Slack's limits hold, no secret shows.
 */
import { createHash } from 'node:crypto';
import type { Button, KnownBlock, ModalView } from '@slack/types';
import type { AuditRow } from '../src/audit/export';
import { BUTTON_ACTIONS, FIELD_ACTION_ID, FIELDS, HISTORY_EXPORTS, VIEWS, type ButtonId, type ViewMetadata } from '../src/slack/ids';
import {
  ACTION_BUTTONS,
  approvalDecidedMessage,
  approvalRequestMessage,
  checklistMessage,
  credentialsModal,
  expiredMessage,
  helpText,
  historyMessage,
  HISTORY_LATEST,
  homeView,
  notificationMessage,
  parseCredentials,
  parseProductionSecret,
  parseReject,
  parseRotate,
  parseSettings,
  parseViewMetadata,
  productionSecretModal,
  rejectModal,
  reminderMessage,
  rotateModal,
  settingsModal,
  type SetupView,
  type SubmittedValues,
} from '../src/slack/views';
import { fitBlocks, truncateMrkdwn } from '../src/slack/views/text';
import { STEP_IDS, type Actor, type SecretKind, type SecretRef } from '../src/shared/schemas';
import type { SetupState } from '../src/domain/state';
import { applyAction, availableActions, finishJob, initialState, publicView } from '../src/domain/checklist';
import { policyWith, validateSigned } from './support/policy';
import { COMMAND_ACTIONS, ACTION_NAMES, type ActionArgs, type ActionName } from '../src/shared/actions';

// ---------------------------------------------------------------------------------------
// Fixtures: actors, secrets as the vault would hold them, and a walk through the steps.

const HOUR = 3_600_000;
const olivia: Actor = { id: 'U0OLIVIA', displayName: 'Olivia <ops> & co', source: 'slack' };
const arthur: Actor = { id: 'U0ARTHUR', displayName: 'Arthur', source: 'slack' };
const policy = policyWith({ [olivia.id]: ['operator'], [arthur.id]: ['approver'] });

/** Distinctive 30-hex values: a scan for them cannot hit by chance. */
const SECRETS = {
  sandbox: 'c0ffee1234c0ffee1234c0ffee1234',
  development: 'deadbeef99deadbeef99deadbeef99',
  production: 'f00dfacef00dfacef00dfacef00d42',
  rotated: 'abad1deaabad1deaabad1deaabad1d',
} as const;
const CLIENT_ID = '68028ce48d2b0dec68747f6c';

const fingerprint = (value: string) => `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12)}`;
const ref = (kind: SecretKind, value: string, version = 1): SecretRef => ({ ref: `vault:acme/${kind}/v${version}`, fingerprint: fingerprint(value) });

let clock = Date.parse('2026-03-02T09:00:00.000Z');
const tick = () => new Date((clock += 60_000)).toISOString();

function fresh(): SetupState {
  return initialState({
    setupId: 'acme',
    name: 'Acme & Sons',
    createdBy: { id: olivia.id, displayName: olivia.displayName, source: 'slack' },
    createdAt: tick(),
    options: { reminderAfterMs: 24 * HOUR, approvalTimeoutMs: 7 * 24 * HOUR },
  });
}

function act<N extends ActionName>(state: SetupState, name: N, args: Omit<ActionArgs<N>, 'actor'>, actor: Actor = olivia): void {
  // A decision names the request waiting now, as its button does.
  const decision = (name === 'approveProduction' || name === 'rejectProduction') && state.production ? { requestId: state.production.id } : {};
  applyAction(state, name, validateSigned(policy, state, name, { ...args, ...decision, actor }), tick());
}

const SANDBOX_EVIDENCE = {
  environment: 'sandbox',
  keysAccepted: true,
  institutionsAvailable: 11_000,
  keysRequestId: 'req-keys-1',
  keysMs: 120,
  redirectUriAllowed: 'https://plaid.codat.io/oauth/callback',
  countriesEnabled: 'US,GB',
  linkRequestId: 'req-link-2',
  linkMs: 95,
  institution: 'First Platypus Bank',
  institutionId: 'ins_109508',
  accounts: 9,
  transactions: 16,
  syncPolls: 2,
  itemRemoved: true,
  itemRequestId: 'req-item-3',
  smokeMs: 2400,
};

/** The states the walk passes through, by name. */
function walk(): Record<string, SetupView> {
  const at: Record<string, SetupView> = {};
  const s = fresh();
  at.fresh = publicView(s);
  act(s, 'confirmRedirect', {});
  act(s, 'submitCredentials', { clientId: CLIENT_ID, sandboxSecret: ref('sandbox', SECRETS.sandbox), developmentSecret: ref('development', SECRETS.development) });
  at.credentials = publicView(s);
  act(s, 'updateSettings', { syncMode: 'one-off', countryCodes: ['US', 'GB'], linkCustomizationName: 'codat_default' });
  act(s, 'runSandboxTest', {});
  at.testRunning = publicView(s);
  finishJob(
    s,
    s.job!.id,
    {
      ok: false,
      failure: {
        code: 'INVALID_LINK_CUSTOMIZATION',
        message: 'Plaid does not know the Link customization "codat_default".',
        action: 'Create it in the Plaid Dashboard or clear it in the settings, then re-run the Sandbox test.',
        requestId: 'req-failed-42',
      },
    },
    tick(),
  );
  at.testFailed = publicView(s);
  act(s, 'runSandboxTest', {});
  finishJob(s, s.job!.id, { ok: true, evidence: SANDBOX_EVIDENCE }, tick());
  at.testPassed = publicView(s);
  act(s, 'confirmCodat', {});
  act(s, 'requestProduction', { note: 'Go-live is <Monday> & the DTM use case is published.' });
  at.awaitingApproval = publicView(s);
  act(s, 'rejectProduction', { reason: 'Use case not yet published in <Plaid>.' }, arthur);
  at.rejected = publicView(s);
  act(s, 'requestProduction', {});
  act(s, 'approveProduction', { comment: 'Looks good.' }, arthur);
  at.approved = publicView(s);
  act(s, 'submitProductionSecret', { secret: ref('production', SECRETS.production) });
  finishJob(s, s.job!.id, { ok: true, evidence: { environment: 'production', keysAccepted: true, keysRequestId: 'req-prod-5', keysMs: 300 } }, tick());
  at.productionVerified = publicView(s);
  act(s, 'confirmCodat', {});
  act(s, 'enable', {});
  at.enabled = publicView(s);
  act(s, 'rotateSecret', { kind: 'production', secret: ref('production', SECRETS.rotated, 2) });
  finishJob(s, s.job!.id, { ok: false, failure: { code: 'INVALID_API_KEYS', message: 'Plaid refused the new secret.', action: 'Copy the secret again from Plaid Dashboard > Team Settings > Keys.', requestId: 'req-rot-7' } }, tick());
  at.rotationFailed = publicView(s);
  // An enabled integration is disabled before its setup is cancelled.
  act(s, 'disable', {});
  act(s, 'cancel', { reason: 'Replaced by <new> setup' });
  at.cancelled = publicView(s);
  return at;
}

const states = walk();

// ---------------------------------------------------------------------------------------
// Slack's limits, checked independently of the builders.

type Obj = Record<string, unknown>;
const textOf = (t: unknown): string => ((t as { text?: unknown } | undefined)?.text as string | undefined) ?? '';

/** mrkdwn must escape &, < and > except in Slack's own tokens. */
function badMrkdwn(text: string): string | undefined {
  const bare = text.replace(/^> /gm, '').replace(/<(!date\^\d+\^[^|>]+\|[^<>]+|@[A-Z0-9]+|#[A-Z0-9]+|https?:[^<>]+)>/g, '');
  if (/[<>]/.test(bare)) return 'an unescaped < or >';
  if (/&(?!amp;|lt;|gt;)/.test(bare)) return 'an unescaped &';
  return undefined;
}

function limitViolations(blocks: KnownBlock[], maxBlocks: number): string[] {
  const v: string[] = [];
  const over = (what: string, text: string, max: number) => {
    if (text.length > max) v.push(`${what}: ${text.length} > ${max}`);
    if (text.length === 0) v.push(`${what}: empty`);
  };
  const textObject = (what: string, t: unknown, max: number) => {
    over(what, textOf(t), max);
    if ((t as Obj).type === 'mrkdwn') {
      const bad = badMrkdwn(textOf(t));
      if (bad) v.push(`${what}: ${bad} in ${JSON.stringify(textOf(t))}`);
    }
  };
  const actionIds = new Set<string>();
  const element = (what: string, e: Obj) => {
    if (typeof e.action_id === 'string') {
      if (actionIds.has(e.action_id) && e.type === 'button') v.push(`${what}: duplicate action_id ${e.action_id}`);
      actionIds.add(e.action_id);
      over(`${what} action_id`, e.action_id, 255);
    }
    if (e.type === 'button') {
      over(`${what} text`, textOf(e.text), 75);
      if ((e.text as Obj).type !== 'plain_text') v.push(`${what}: button text must be plain_text`);
      if (typeof e.value === 'string') over(`${what} value`, e.value, 2000);
      const c = e.confirm as Obj | undefined;
      if (c) {
        over(`${what} confirm title`, textOf(c.title), 100);
        over(`${what} confirm text`, textOf(c.text), 300);
        over(`${what} confirm button`, textOf(c.confirm), 30);
        over(`${what} deny button`, textOf(c.deny), 30);
      }
    }
    if (e.placeholder) over(`${what} placeholder`, textOf(e.placeholder), 150);
    const options = (e.options as Obj[] | undefined) ?? [];
    const maxOptions = e.type === 'static_select' ? 100 : 10;
    if (options.length > maxOptions) v.push(`${what}: ${options.length} options > ${maxOptions}`);
    options.forEach((o, i) => {
      over(`${what} option ${i} text`, textOf(o.text), 75);
      over(`${what} option ${i} value`, o.value as string, 150);
      if (o.description) over(`${what} option ${i} description`, textOf(o.description), 75);
    });
    if (typeof e.initial_value === 'string' && typeof e.max_length === 'number' && e.initial_value.length > e.max_length) {
      v.push(`${what}: initial_value longer than max_length`);
    }
  };
  if (blocks.length > maxBlocks) v.push(`${blocks.length} blocks > ${maxBlocks}`);
  blocks.forEach((b, i) => {
    const w = `block ${i} (${b.type})`;
    if (b.block_id !== undefined) over(`${w} block_id`, b.block_id, 255);
    switch (b.type) {
      case 'header':
        over(w, textOf(b.text), 150);
        if (b.text.type !== 'plain_text') v.push(`${w}: header text must be plain_text`);
        break;
      case 'section':
        if (!b.text && !b.fields) v.push(`${w}: neither text nor fields`);
        if (b.text) textObject(w, b.text, 3000);
        if (b.fields) {
          if (b.fields.length > 10) v.push(`${w}: ${b.fields.length} fields > 10`);
          b.fields.forEach((f, j) => textObject(`${w} field ${j}`, f, 2000));
        }
        if (b.accessory) element(`${w} accessory`, b.accessory as unknown as Obj);
        break;
      case 'context':
        if (b.elements.length === 0 || b.elements.length > 10) v.push(`${w}: ${b.elements.length} elements`);
        b.elements.forEach((e, j) => textObject(`${w} element ${j}`, e, 3000));
        break;
      case 'actions':
        if (b.elements.length === 0 || b.elements.length > 25) v.push(`${w}: ${b.elements.length} elements`);
        b.elements.forEach((e, j) => element(`${w} element ${j}`, e as unknown as Obj));
        break;
      case 'input':
        over(`${w} label`, textOf(b.label), 2000);
        if (b.hint) over(`${w} hint`, textOf(b.hint), 2000);
        element(`${w} element`, b.element as unknown as Obj);
        break;
      case 'divider':
        break;
      default:
        v.push(`${w}: unexpected block type`);
    }
  });
  return v;
}

function modalViolations(view: ModalView): string[] {
  const v = limitViolations(view.blocks as KnownBlock[], 100);
  for (const [what, t] of [['title', view.title], ['submit', view.submit], ['close', view.close]] as const) {
    if (t && (t.text.length > 24 || t.type !== 'plain_text')) v.push(`${what}: ${JSON.stringify(t)}`);
  }
  if ((view.private_metadata ?? '').length > 3000) v.push('private_metadata > 3000');
  if (view.blocks.some((b) => b.type === 'input') && !view.submit) v.push('inputs without a submit button');
  return v;
}

const buttonsOf = (blocks: KnownBlock[]): Button[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements.filter((e) => e.type === 'button') as Button[]) : []));
const actionsOf = (blocks: KnownBlock[]): ActionName[] => buttonsOf(blocks).map((b) => BUTTON_ACTIONS[b.action_id as ButtonId]);
const allText = (blocks: unknown): string => JSON.stringify(blocks);

function expectNoSecret(surface: unknown): void {
  const json = JSON.stringify(surface);
  for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
}

// ---------------------------------------------------------------------------------------
// The checklist message.

describe('checklistMessage', () => {
  test('every action maps to exactly one button id', () => {
    for (const action of ACTION_NAMES) expect(BUTTON_ACTIONS[ACTION_BUTTONS[action]]).toBe(action);
  });

  test.each(Object.keys(states))('%s: one button per available action, limits hold, no secret', (name) => {
    const view = states[name]!;
    const message = checklistMessage(view);
    expect(actionsOf(message.blocks)).toEqual(availableActions(view));
    // A decision's button also names the request it decides; every other button the setup alone.
    for (const button of buttonsOf(message.blocks)) {
      const decision = ['approveProduction', 'rejectProduction'].includes(BUTTON_ACTIONS[button.action_id as ButtonId]);
      expect(button.value).toBe(decision ? `acme/${view.production!.id}` : 'acme');
    }
    expect(limitViolations(message.blocks, 50)).toEqual([]);
    expect(message.text.length).toBeGreaterThan(0);
    expect(badMrkdwn(message.text)).toBeUndefined();
    expectNoSecret(message);
    // One section per step, in order, with the step's status word.
    const stepSections = message.blocks.filter((b) => b.type === 'section' && /^:[a-z_]+: \*\d\. /.test(textOf(b.text)));
    expect(stepSections).toHaveLength(STEP_IDS.length);
    view.steps.forEach((s, i) => expect(textOf((stepSections[i] as { text: unknown }).text)).toContain(s.status.replace('_', ' ')));
  });

  test('fresh: confirm the redirect URI, or cancel; the header names the setup', () => {
    const message = checklistMessage(states.fresh!);
    expect(actionsOf(message.blocks)).toEqual(['confirmRedirect', 'cancel']);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Plaid setup: Acme & Sons' } });
    expect(allText(message.blocks)).toContain('Next: Plaid application (allowed redirect URI)');
    expect(message.text).toBe('Plaid setup Acme &amp; Sons: Next: Plaid application (allowed redirect URI) (sandbox)');
  });

  test('after credentials: who acted and when as a Slack date, Codat Portal values by fingerprint', () => {
    const view = states.credentials!;
    const message = checklistMessage(view);
    expect(actionsOf(message.blocks)).toEqual(expect.arrayContaining(['submitCredentials', 'updateSettings', 'cancel']));
    const credentials = allText(message.blocks);
    expect(credentials).toMatch(/by Olivia &lt;ops&gt; &amp; co, <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-03-02T09:\d\d:00\.000Z>/);
    expect(credentials).toContain(fingerprint(SECRETS.sandbox));
    expect(credentials).toContain(fingerprint(SECRETS.development));
    expect(credentials).toContain('*Values for the Codat Portal.*');
    expect(credentials).toContain(CLIENT_ID);
    const labels = buttonsOf(message.blocks).map((b) => b.text.text);
    expect(labels).toContain('Change credentials');
    expect(labels).toContain('Choose settings');
  });

  test('while the Sandbox test runs, only cancel is offered', () => {
    const message = checklistMessage(states.testRunning!);
    expect(actionsOf(message.blocks)).toEqual(['cancel']);
    expect(allText(message.blocks)).toContain('Sandbox test running');
  });

  test('a failed Sandbox test shows the error, what to do and the Plaid request id', () => {
    const message = checklistMessage(states.testFailed!);
    const failed = message.blocks.find((b) => b.type === 'section' && textOf(b.text).includes('4. Sandbox test'));
    const text = textOf((failed as { text: unknown }).text);
    expect(text).toContain(':x:');
    expect(text).toContain('failed');
    expect(text).toContain('Plaid does not know the Link customization "codat_default".');
    expect(text).toContain('*What to do:* Create it in the Plaid Dashboard');
    expect(text).toContain('Plaid request id: `req-failed-42`');
    expect(buttonsOf(message.blocks).find((b) => b.action_id === ACTION_BUTTONS.runSandboxTest)?.text.text).toBe('Re-run Sandbox test');
  });

  test('a passed Sandbox test shows its evidence compactly', () => {
    const message = checklistMessage(states.testPassed!);
    const index = message.blocks.findIndex((b) => b.type === 'section' && textOf(b.text).includes('4. Sandbox test'));
    const evidence = message.blocks[index + 1];
    expect(evidence?.type).toBe('context');
    const text = allText(evidence);
    for (const expected of ['First Platypus Bank', 'ins_109508', 'Accounts: *9*', 'Transactions: *16*', 'US,GB', 'https://plaid.codat.io/oauth/callback', 'req-keys-1', 'req-link-2', 'req-item-3', 'keys 120 ms', 'smoke 2.4 s']) {
      expect(text).toContain(expected);
    }
    expect(buttonsOf(message.blocks).find((b) => b.action_id === ACTION_BUTTONS.confirmCodat)?.text.text).toBe('Confirm Codat Portal entries');
  });

  test('awaiting approval: approve (primary) and reject (danger), and the request summary', () => {
    const message = checklistMessage(states.awaitingApproval!);
    expect(actionsOf(message.blocks)).toEqual(expect.arrayContaining(['approveProduction', 'rejectProduction', 'cancel']));
    expect(actionsOf(message.blocks)).not.toContain('requestProduction');
    const byAction = new Map(buttonsOf(message.blocks).map((b) => [BUTTON_ACTIONS[b.action_id as ButtonId], b]));
    const [approve, reject, cancel] = [byAction.get('approveProduction'), byAction.get('rejectProduction'), byAction.get('cancel')];
    expect(approve?.style).toBe('primary');
    expect(reject?.style).toBe('danger');
    expect(cancel?.style).toBe('danger');
    expect(cancel?.confirm).toBeDefined();
    const text = allText(message.blocks);
    expect(text).toContain('*Production request* · requested by Olivia');
    expect(text).toContain('Go-live is &lt;Monday&gt; &amp; the DTM use case is published.');
    expect(text).toContain('Waiting for an approver other than Olivia');
  });

  test('a rejection shows who rejected and why, and what to do', () => {
    const text = allText(checklistMessage(states.rejected!).blocks);
    expect(text).toContain(':x: Rejected by Arthur, <!date^');
    expect(text).toContain('Use case not yet published in &lt;Plaid&gt;.');
    expect(text).toContain('*What to do:* Address the reason, then request production again.');
  });

  test('a verified Production secret: the confirm button says what it confirms', () => {
    const message = checklistMessage(states.productionVerified!);
    expect(buttonsOf(message.blocks).find((b) => b.action_id === ACTION_BUTTONS.confirmCodat)?.text.text).toBe(
      'Confirm Production secret is in Codat Portal',
    );
    expect(allText(message.blocks)).toContain('req-prod-5');
  });

  test('enabled: disable and rotate, with confirmation on disable; no cancel until disabled', () => {
    const message = checklistMessage(states.enabled!);
    const actions = actionsOf(message.blocks);
    expect(actions).toEqual(expect.arrayContaining(['disable', 'rotateSecret']));
    expect(actions).not.toContain('enable');
    expect(actions).not.toContain('cancel');
    const byAction = new Map(buttonsOf(message.blocks).map((b) => [BUTTON_ACTIONS[b.action_id as ButtonId], b]));
    expect(byAction.get('disable')?.confirm?.title?.text).toBe('Disable Plaid for Acme & Sons?');
    expect(byAction.get('rotateSecret')?.confirm).toBeUndefined();
    expect(allText(message.blocks)).toContain('*Enabled*');
  });

  test('a failed rotation shows its error, what to do and the request id', () => {
    const text = allText(checklistMessage(states.rotationFailed!).blocks);
    expect(text).toContain('*Secret rotation* · :x: failed: new production secret `' + fingerprint(SECRETS.rotated) + '`');
    expect(text).toContain('Plaid refused the new secret.');
    expect(text).toContain('*What to do:* Copy the secret again');
    expect(text).toContain('`req-rot-7`');
  });

  test('cancelled: no buttons at all, and who cancelled and why', () => {
    const message = checklistMessage(states.cancelled!);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(allText(message.blocks)).toContain(':no_entry: *Cancelled* by Olivia');
    expect(allText(message.blocks)).toContain('Replaced by &lt;new&gt; setup');
  });

  test('oversized texts are cut within the limits, never inside a Slack token or escape', () => {
    const view = structuredClone(states.rotationFailed!);
    view.name = 'N'.repeat(400);
    const huge = 'x <&> '.repeat(2000);
    for (const s of view.steps) {
      s.detail = huge;
      s.error = { code: 'X', message: `m ${huge}`, action: huge, requestId: 'r'.repeat(300), at: s.at ?? view.createdAt };
      s.evidence = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}RequestId`, huge]));
      s.actor = { id: 'U1', displayName: 'D'.repeat(300), source: 'slack' };
    }
    view.production!.note = huge;
    view.production!.reason = huge;
    view.codatPortal = Array.from({ length: 25 }, (_, i) => ({ field: `Field ${i}`, value: huge }));
    view.steps.find((s) => s.id === 'codat_portal')!.status = 'waiting';
    const message = checklistMessage(view);
    expect(limitViolations(message.blocks, 50)).toEqual([]);
    expect(actionsOf(message.blocks)).toEqual(availableActions(view));
  });

  test('truncation keeps tokens and escapes whole', () => {
    const date = '<!date^1767225600^{date_short_pretty} {time}|2026-01-01T00:00:00.000Z>';
    for (let max = 2; max < 60; max++) {
      const cut = truncateMrkdwn(`ab ${date} &amp; c`, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(badMrkdwn(cut)).toBeUndefined();
    }
    expect(truncateMrkdwn('😀😀😀', 4)).toBe('😀…');
  });

  test('a body over the block limit is cut and the buttons stay', () => {
    const body: KnownBlock[] = Array.from({ length: 80 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `b${i}` } }));
    const tail: KnownBlock[] = [{ type: 'divider' }, { type: 'actions', elements: [{ type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'X' } }] }];
    const fitted = fitBlocks(body, tail, 50, 'more elsewhere');
    expect(fitted).toHaveLength(50);
    expect(fitted.slice(-2)).toEqual(tail);
    expect(allText(fitted[47])).toContain('more elsewhere');
  });
});

// ---------------------------------------------------------------------------------------
// Approval messages and notifications.

describe('approval messages', () => {
  test('the request names the requester, note and expiry, with Approve and Reject', () => {
    const view = states.awaitingApproval!;
    const message = approvalRequestMessage(view);
    expect(actionsOf(message.blocks)).toEqual(['approveProduction', 'rejectProduction']);
    const text = allText(message.blocks);
    expect(text).toContain('*Olivia &lt;ops&gt; &amp; co* asks to move *Acme &amp; Sons* to Plaid Production');
    expect(text).toContain('\\n> Go-live is &lt;Monday&gt;');
    expect(text).toMatch(/Decide by <!date\^\d+\^/);
    expect(text).toContain('Four eyes');
    expect(limitViolations(message.blocks, 50)).toEqual([]);
    expect(message.text).toContain('requests production approval for Acme &amp; Sons');
    expectNoSecret(message);
  });

  test('once decided, the same message says who decided, when and why, without buttons', () => {
    const rejected = approvalDecidedMessage(states.rejected!);
    expect(rejected.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(allText(rejected.blocks)).toContain(':x: *Rejected* by Arthur, <!date^');
    expect(allText(rejected.blocks)).toContain('Use case not yet published in &lt;Plaid&gt;.');
    const approved = approvalDecidedMessage(states.approved!);
    expect(allText(approved.blocks)).toContain(':white_check_mark: *Approved* by Arthur');
    expect(allText(approved.blocks)).toContain('Looks good.');
    expect(approvalRequestMessage(states.approved!)).toEqual(approved);
    for (const m of [rejected, approved]) expect(limitViolations(m.blocks, 50)).toEqual([]);
  });

  test('an expired request says so', () => {
    const view = structuredClone(states.awaitingApproval!);
    view.production = { ...view.production!, decision: 'expired', decidedAt: view.production!.expiresAt };
    expect(allText(approvalDecidedMessage(view).blocks)).toContain(':hourglass: *Expired*');
    const notice = expiredMessage({ kind: 'approval_expired', setupId: 'acme', requestId: view.production.id, requestedBy: olivia, requestedAt: view.production.requestedAt }, view);
    expect(allText(notice.blocks)).toContain('*expired*');
    expect(allText(notice.blocks)).toContain('request production again');
    expect(limitViolations(notice.blocks, 50)).toEqual([]);
  });

  test('reminders say whom the setup waits on since when; approvers get their buttons', () => {
    const view = states.awaitingApproval!;
    const reminder = reminderMessage(
      { kind: 'reminder', setupId: 'acme', step: 'production_approval', waitingOn: 'approvers', idleSince: view.lastChangeAt, reminderNumber: 2 },
      view,
    );
    expect(allText(reminder.blocks)).toContain('*Reminder #2*: setup *Acme &amp; Sons* has waited on the approvers since <!date^');
    expect(actionsOf(reminder.blocks)).toEqual(['approveProduction', 'rejectProduction']);
    const operators = reminderMessage({ kind: 'reminder', setupId: 'acme', step: 'settings', waitingOn: 'operators', idleSince: view.createdAt, reminderNumber: 1 });
    expect(allText(operators.blocks)).toContain('*Reminder*: setup *acme*');
    expect(actionsOf(operators.blocks)).toEqual([]);
    for (const m of [reminder, operators]) expect(limitViolations(m.blocks, 50)).toEqual([]);
  });

  test('notificationMessage picks the message for each kind', () => {
    const view = states.awaitingApproval!;
    expect(notificationMessage({ kind: 'approval_requested', setupId: 'acme', requestId: view.production!.id, requestedBy: olivia, expiresAt: view.production!.expiresAt }, view)).toEqual(
      approvalRequestMessage(view),
    );
    const bare = notificationMessage({ kind: 'approval_requested', setupId: 'acme', requestId: view.production!.id, requestedBy: olivia, expiresAt: view.production!.expiresAt });
    expect(actionsOf(bare.blocks)).toEqual(['approveProduction', 'rejectProduction']);
    expect(limitViolations(bare.blocks, 50)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Modals.

const meta: ViewMetadata = { setupId: 'acme', channel: 'C0123' };
const inputsOf = (view: ModalView) => view.blocks.filter((b): b is Extract<KnownBlock, { type: 'input' }> => b.type === 'input');
const inputById = (view: ModalView, id: string) => inputsOf(view).find((b) => b.block_id === id);

describe('modals', () => {
  const secretFields: string[] = [FIELDS.sandboxSecret, FIELDS.developmentSecret, FIELDS.productionSecret, FIELDS.rotateSecret];
  const modals: Array<[string, () => ModalView, string]> = [
    ['credentials (new)', () => credentialsModal(meta), VIEWS.credentials],
    ['credentials (change)', () => credentialsModal(meta, states.enabled), VIEWS.credentials],
    ['settings', () => settingsModal(meta, states.credentials!), VIEWS.settings],
    ['production secret', () => productionSecretModal(meta, states.enabled!), VIEWS.productionSecret],
    ['reject', () => rejectModal(meta, states.awaitingApproval!), VIEWS.reject],
    ['rotate', () => rotateModal(meta, states.enabled!), VIEWS.rotate],
  ];

  test.each(modals)('%s: ids, metadata, limits, and no secret', (_name, build, callbackId) => {
    const view = build();
    expect(view.callback_id).toBe(callbackId);
    expect(JSON.parse(view.private_metadata!)).toEqual(meta);
    expect(modalViolations(view)).toEqual([]);
    const fieldIds = Object.values(FIELDS) as string[];
    for (const input of inputsOf(view)) {
      expect(fieldIds).toContain(input.block_id);
      expect((input.element as { action_id?: string }).action_id).toBe(FIELD_ACTION_ID);
      if (secretFields.includes(input.block_id!)) {
        expect(input.element.type).toBe('plain_text_input');
        expect(input.element).not.toHaveProperty('initial_value');
        expect(input.hint?.text).toMatch(/encrypted vault.*never shown again.*fingerprint/);
      }
    }
    expectNoSecret(view);
  });

  test('only setupId and channel ride in private_metadata', () => {
    const smuggled = { ...meta, secret: SECRETS.sandbox } as ViewMetadata;
    const view = credentialsModal(smuggled, states.credentials);
    expect(JSON.parse(view.private_metadata!)).toEqual(meta);
    expectNoSecret(view);
  });

  test('credentials: client_id prefilled (not a secret); the Development secret is optional and retired', () => {
    const view = credentialsModal(meta, states.credentials);
    expect(inputById(view, FIELDS.clientId)?.element).toMatchObject({ initial_value: CLIENT_ID });
    const dev = inputById(view, FIELDS.developmentSecret)!;
    expect(dev.optional).toBe(true);
    expect(dev.label.text).toMatch(/optional/i);
    expect(dev.hint?.text).toContain('retired the Development environment in June 2024');
    expect(inputById(view, FIELDS.sandboxSecret)?.optional).toBeUndefined();
    expect(allText(view.blocks)).toContain(fingerprint(SECRETS.sandbox));
    expect(inputById(credentialsModal(meta), FIELDS.clientId)?.element).not.toHaveProperty('initial_value');
  });

  test('settings: seven countries with the current choice ticked, sync mode, environment choices', () => {
    const chosen = settingsModal(meta, states.testPassed!);
    const countries = inputById(chosen, FIELDS.countryCodes)!;
    expect(countries.optional).toBe(true);
    expect(countries.hint?.text).toContain("Plaid's default");
    expect(countries.element).toMatchObject({ type: 'checkboxes' });
    const element = countries.element as { options: Array<{ value: string }>; initial_options?: Array<{ value: string }> };
    expect(element.options.map((o) => o.value)).toEqual(['US', 'CA', 'ES', 'FR', 'GB', 'IE', 'NL']);
    expect(element.initial_options?.map((o) => o.value)).toEqual(['US', 'GB']);
    expect(inputById(chosen, FIELDS.syncMode)?.element).toMatchObject({ type: 'radio_buttons', initial_option: { value: 'one-off' } });
    expect(inputById(chosen, FIELDS.linkCustomization)?.element).toMatchObject({ initial_value: 'codat_default' });
    expect(inputById(chosen, FIELDS.linkCustomization)?.optional).toBe(true);
    const environments = (view: SetupView) =>
      (inputById(settingsModal(meta, view), FIELDS.environment)!.element as { options: Array<{ value: string }> }).options.map((o) => o.value);
    expect(environments(states.testPassed!)).toEqual(['sandbox']);
    expect(environments(states.enabled!)).toEqual(['sandbox', 'production']);

    const empty = settingsModal(meta, states.credentials!);
    expect(inputById(empty, FIELDS.countryCodes)?.element).not.toHaveProperty('initial_options');
    expect(inputById(empty, FIELDS.syncMode)?.element).toMatchObject({ initial_option: { value: 'continuous' } });
    expect(inputById(empty, FIELDS.environment)?.element).toMatchObject({ initial_option: { value: 'sandbox' } });
  });

  test('settings: submitting the modal as opened gives back the current settings', () => {
    const view = states.testPassed!;
    const modal = settingsModal(meta, view);
    const values: SubmittedValues = {};
    for (const input of inputsOf(modal)) {
      const e = input.element as { type: string; initial_value?: string; initial_option?: { value: string }; initial_options?: Array<{ value: string }> };
      values[input.block_id!] = {
        [FIELD_ACTION_ID]: { type: e.type, value: e.initial_value ?? null, selected_option: e.initial_option ?? null, selected_options: e.initial_options ?? [] },
      };
    }
    expect(parseSettings(values, view)).toEqual({
      ok: true,
      environment: view.data.environment,
      countryCodes: view.data.requestedCountryCodes,
      syncMode: view.data.syncMode,
      linkCustomizationName: view.data.linkCustomizationName,
    });
  });

  test('reject: a required reason; rotate: which secret, with current fingerprints', () => {
    const reject = rejectModal({ ...meta, requestId: states.awaitingApproval!.production!.id }, states.awaitingApproval!);
    expect(inputById(reject, FIELDS.reason)?.optional).toBeUndefined();
    expect(allText(reject.blocks)).toContain('by Olivia');
    expect(allText(reject.blocks)).toContain(`client_id ${CLIENT_ID}`);
    const rotate = rotateModal(meta, states.enabled!);
    const kinds = inputById(rotate, FIELDS.rotateKind)!.element as { options: Array<{ value: string; description?: { text: string } }> };
    expect(kinds.options.map((o) => o.value)).toEqual(['sandbox', 'production']);
    expect(kinds.options[1]?.description?.text).toContain(fingerprint(SECRETS.production));
  });
});

// ---------------------------------------------------------------------------------------
// Submissions.

const textValue = (value: string | null) => ({ [FIELD_ACTION_ID]: { type: 'plain_text_input', value } });
const option = (value: string | null) => ({ [FIELD_ACTION_ID]: { type: 'radio_buttons', selected_option: value === null ? null : { value } } });
const options = (values: string[]) => ({ [FIELD_ACTION_ID]: { type: 'checkboxes', selected_options: values.map((value) => ({ value })) } });

function expectFieldError(result: { ok: boolean; errors?: Record<string, string> }, blockId: string, submitted?: string): void {
  expect(result.ok).toBe(false);
  const message = result.errors?.[blockId];
  expect(message).toMatch(/^[A-Z].*\.$/);
  if (submitted) expect(message?.toLowerCase()).not.toContain(submitted.trim().toLowerCase());
}

describe('parseCredentials', () => {
  const good = (over: Partial<Record<string, string | null>> = {}): SubmittedValues => ({
    [FIELDS.clientId]: textValue(over.clientId === undefined ? ` ${CLIENT_ID} ` : over.clientId),
    [FIELDS.sandboxSecret]: textValue(over.sandbox === undefined ? `${SECRETS.sandbox}\n` : over.sandbox),
    [FIELDS.developmentSecret]: textValue(over.development === undefined ? null : over.development),
  });

  test('good input, trimmed; the Development secret is optional', () => {
    expect(parseCredentials(good())).toEqual({ ok: true, clientId: CLIENT_ID, sandboxSecret: SECRETS.sandbox });
    expect(parseCredentials(good({ development: SECRETS.development }))).toEqual({
      ok: true,
      clientId: CLIENT_ID,
      sandboxSecret: SECRETS.sandbox,
      developmentSecret: SECRETS.development,
    });
  });

  test.each([
    ['client_id not hex', 'clientId', FIELDS.clientId, 'zz028ce48d2b0dec68747f6c'],
    ['client_id too short', 'clientId', FIELDS.clientId, '68028ce48d2b'],
    ['sandbox secret too long', 'sandbox', FIELDS.sandboxSecret, `${SECRETS.sandbox}00`],
    ['sandbox secret upper case', 'sandbox', FIELDS.sandboxSecret, SECRETS.sandbox.toUpperCase()],
    ['sandbox secret pasted label', 'sandbox', FIELDS.sandboxSecret, `secret: ${SECRETS.sandbox}`],
    ['development secret too short', 'development', FIELDS.developmentSecret, SECRETS.development.slice(0, 20)],
  ])('%s: an error on that field that does not repeat the value', (_name, key, blockId, bad) => {
    const result = parseCredentials(good({ [key]: bad }));
    expectFieldError(result, blockId, bad);
    expect(Object.keys((result as { errors: object }).errors)).toEqual([blockId]);
    expect(JSON.stringify(result)).not.toContain(bad);
  });

  test('missing fields: each required one says what to enter', () => {
    const result = parseCredentials({});
    expect(Object.keys((result as { errors: object }).errors).sort()).toEqual([FIELDS.clientId, FIELDS.sandboxSecret].sort());
    expectFieldError(result, FIELDS.clientId);
    expectFieldError(result, FIELDS.sandboxSecret);
    expect((result as { errors: Record<string, string> }).errors[FIELDS.sandboxSecret]).toContain('Plaid Dashboard > Team Settings > Keys');
  });

  test('the same secret twice is refused on the Development field', () => {
    const result = parseCredentials(good({ development: SECRETS.sandbox }));
    expectFieldError(result, FIELDS.developmentSecret, SECRETS.sandbox);
  });
});

describe('parseSettings', () => {
  const values = (over: Partial<SubmittedValues> = {}): SubmittedValues => ({
    [FIELDS.environment]: option('sandbox'),
    [FIELDS.countryCodes]: options(['GB', 'US']),
    [FIELDS.syncMode]: option('continuous'),
    [FIELDS.linkCustomization]: textValue(null),
    ...over,
  });

  test('good input, countries in canonical order, no customization', () => {
    expect(parseSettings(values())).toEqual({ ok: true, environment: 'sandbox', countryCodes: ['US', 'GB'], syncMode: 'continuous' });
    expect(parseSettings(values({ [FIELDS.countryCodes]: options([]), [FIELDS.linkCustomization]: textValue(' my flow ') }))).toEqual({
      ok: true,
      environment: 'sandbox',
      countryCodes: [],
      syncMode: 'continuous',
      linkCustomizationName: 'my flow',
    });
  });

  test.each([
    ['unknown country', FIELDS.countryCodes, options(['US', 'XQ']), 'XQ'],
    ['retired environment', FIELDS.environment, option('development'), 'development'],
    ['unknown environment', FIELDS.environment, option('staging-eu'), 'staging-eu'],
    ['no sync mode', FIELDS.syncMode, option(null), undefined],
    ['unknown sync mode', FIELDS.syncMode, option('hourly-ish'), 'hourly-ish'],
    ['bad customization', FIELDS.linkCustomization, textValue('bad/name<x>'), 'bad/name<x>'],
    ['long customization', FIELDS.linkCustomization, textValue('c'.repeat(101)), 'c'.repeat(101)],
  ])('%s: an error on that field that does not repeat the value', (_name, blockId, value, bad) => {
    const result = parseSettings(values({ [blockId]: value }));
    expectFieldError(result, blockId, bad);
    expect(Object.keys((result as { errors: object }).errors)).toEqual([blockId]);
  });

  test('production is refused until the Production secret step is done', () => {
    expectFieldError(parseSettings(values({ [FIELDS.environment]: option('production') }), states.testPassed), FIELDS.environment);
    expect(parseSettings(values({ [FIELDS.environment]: option('production') }), states.enabled)).toMatchObject({ ok: true, environment: 'production' });
  });
});

describe('parseProductionSecret, parseReject, parseRotate', () => {
  test('production secret', () => {
    expect(parseProductionSecret({ [FIELDS.productionSecret]: textValue(SECRETS.production) })).toEqual({ ok: true, secret: SECRETS.production });
    const bad = `${SECRETS.production.slice(0, 29)}g`;
    expectFieldError(parseProductionSecret({ [FIELDS.productionSecret]: textValue(bad) }), FIELDS.productionSecret, bad);
    expectFieldError(parseProductionSecret({}), FIELDS.productionSecret);
  });

  test('reject reason', () => {
    expect(parseReject({ [FIELDS.reason]: textValue('  Publish the use case first.  ') })).toEqual({ ok: true, reason: 'Publish the use case first.' });
    expectFieldError(parseReject({ [FIELDS.reason]: textValue('no') }), FIELDS.reason, 'no');
    expectFieldError(parseReject({ [FIELDS.reason]: textValue('   ') }), FIELDS.reason);
    const long = 'because '.repeat(200);
    expectFieldError(parseReject({ [FIELDS.reason]: textValue(long) }), FIELDS.reason, long);
  });

  test('rotate', () => {
    expect(parseRotate({ [FIELDS.rotateKind]: option('production'), [FIELDS.rotateSecret]: textValue(SECRETS.rotated) })).toEqual({
      ok: true,
      kind: 'production',
      secret: SECRETS.rotated,
    });
    const result = parseRotate({ [FIELDS.rotateKind]: option('development'), [FIELDS.rotateSecret]: textValue('not-a-secret-at-all') });
    expectFieldError(result, FIELDS.rotateKind, 'development');
    expectFieldError(result, FIELDS.rotateSecret, 'not-a-secret-at-all');
    expect(Object.keys((parseRotate({}) as { errors: object }).errors).sort()).toEqual([FIELDS.rotateKind, FIELDS.rotateSecret].sort());
  });
});

describe('parseViewMetadata', () => {
  test('round trip through a modal', () => {
    expect(parseViewMetadata(rotateModal(meta, states.enabled!).private_metadata!)).toEqual(meta);
    expect(parseViewMetadata(JSON.stringify({ setupId: 'acme' }))).toEqual({ setupId: 'acme' });
    expect(parseViewMetadata(JSON.stringify({ setupId: 'acme', extra: SECRETS.sandbox }))).toEqual({ setupId: 'acme' });
  });

  test.each(['', 'not json', '{', 'null', '[]', '42', '"acme"', '{}', '{"setupId":""}', '{"setupId":5}', `{"setupId":"${'a'.repeat(65)}"}`, '{"setupId":"acme","channel":7}', 'x'.repeat(4000)])(
    'refuses %j',
    (garbage) => {
      expect(parseViewMetadata(garbage)).toBeUndefined();
    },
  );
});

// ---------------------------------------------------------------------------------------
// Home tab and help.

describe('homeView', () => {
  const entries = Object.values(states).map((view) => ({ view }));

  test('lists the setups with status and next step; an approver sees what awaits them', () => {
    const home = homeView([{ view: states.awaitingApproval! }, { view: states.credentials!, nextAction: 'Choose the <settings>' }], { id: arthur.id, roles: ['approver'] });
    expect(home.type).toBe('home');
    const text = allText(home.blocks);
    expect(text).toContain('Waiting for a production approver');
    expect(text).toContain('*Waiting for your approval.*');
    expect(text).toContain('*To do:* Choose the &lt;settings&gt;');
    expect(limitViolations(home.blocks as KnownBlock[], 100)).toEqual([]);
    // The requester is not asked to approve their own request.
    expect(allText(homeView([{ view: states.awaitingApproval! }], { id: olivia.id, roles: ['approver', 'operator'] }).blocks)).not.toContain('your approval');
  });

  test('at most 100 blocks, then "and N more"', () => {
    const many = Array.from({ length: 150 }, (_, i) => entries[i % entries.length]!);
    const home = homeView(many, { id: 'U1', roles: ['auditor'] });
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    expect(limitViolations(home.blocks as KnownBlock[], 100)).toEqual([]);
    const shown = home.blocks.filter((b) => b.type === 'section').length;
    expect(allText(home.blocks.at(-1))).toContain(`and ${150 - shown} more`);
    expectNoSecret(home);
  });

  test('no role, no setups; no setups yet says how to start', () => {
    expect(allText(homeView(entries, { id: 'U1', roles: [] }).blocks)).not.toContain('acme');
    expect(allText(homeView([], { id: 'U1', roles: ['operator'] }).blocks)).toContain('/plaid-setup start &lt;name&gt;');
  });
});

describe('helpText', () => {
  test('lists every subcommand the bot parses', () => {
    const help = helpText();
    for (const usage of ['start &lt;name&gt;', 'status [name]', '`/plaid-setup list`', '`/plaid-setup help`', 'credentials &lt;name&gt;', 'request-production &lt;name&gt; [note]', 'disable &lt;name&gt; [reason]', 'cancel &lt;name&gt; [reason]']) {
      expect(help).toContain(usage);
    }
    for (const sub of COMMAND_ACTIONS.keys()) expect(help).toContain(`\`/plaid-setup ${sub} `);
    expect(help).toContain('`/plaid-setup history &lt;name&gt;`');
    expect(badMrkdwn(help)).toBeUndefined();
  });
});

describe('historyMessage', () => {
  const row = (i: number, over: Partial<AuditRow> = {}): AuditRow => ({
    time: new Date(Date.UTC(2026, 10, 1, 9, 0, i)).toISOString(),
    setup: 'acme',
    source: 'history',
    actor: 'Alice (U0ALICE)',
    action: 'approveProduction',
    step: 'production_approval',
    outcome: 'accepted',
    detail: `comment=<looks> good & done ${i}`,
    ...over,
  });

  test('summarises the record, lists the latest events and offers each export format', () => {
    const rows = [...Array.from({ length: 40 }, (_, i) => row(i)), row(41, { source: 'security', actor: 'U0MALLORY', action: 'history', step: '', outcome: 'denied', detail: 'needs the auditor or operator role' })];
    const message = historyMessage('acme', rows);
    expect(limitViolations(message.blocks, 50)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('*41* events');
    expect(text).toContain('*40* from the workflow');
    expect(text).toContain('*1* from the security log');
    expect(text).toContain(`Latest ${HISTORY_LATEST}`);
    expect(text).toContain('comment=&lt;looks&gt; good &amp; done 39');
    expect(text).not.toContain('done 25');
    const buttons = (message.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string }> }).elements;
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      [HISTORY_EXPORTS.md, 'acme'],
      [HISTORY_EXPORTS.csv, 'acme'],
      [HISTORY_EXPORTS.json, 'acme'],
    ]);
  });

  test('long details still fit one section', () => {
    const rows = Array.from({ length: 20 }, (_, i) => row(i, { detail: 'x'.repeat(5_000) }));
    expect(limitViolations(historyMessage('acme', rows).blocks, 50)).toEqual([]);
  });
});
