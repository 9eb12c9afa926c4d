/**
 * The attacks an independent review tried on the four-eyes promise, against a real
 * Temporal server and worker: an approval reused for other values, a stale decision, roles
 * claimed by the caller, forged or replayed actor assertions, and forged starts. Each is
 * refused, changes nothing, and the honest path still works afterwards.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { demoClient, type PlaidEmulator } from '../src/emulators/plaid';
import { ASSERTION_TTL_MS, signAssertion, START_ASSERTION } from '../src/domain/assertion';
import { INVALID_START, WORKFLOW_TYPE, updates, workflowIdFor } from '../src/shared/messages';
import type { SetupState } from '../src/domain/state';
import type { SetupInput } from '../src/workflows';
import { type Harness, actors, journeyToEnablement, journeyToProductionRequest } from './support/harness';
import { APPROVERS_GROUP, TEST_ASSERTION_KEY } from './support/policy';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;
const acceptedUpdates = async (setupId: string) =>
  ((await h.handle(setupId).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;

test('switching the client_id after approval cannot reach enable without a new approval of the new client_id', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('switch');
    await journeyToEnablement(h, 'switch');
    const approved = await h.state('switch');
    expect(approved.production).toMatchObject({ id: 'pr-1', decision: 'approved', subject: { clientId: h.clientId } });

    // The attack: new credentials, then straight on to production and enable.
    const other = demoClient();
    plaid.addClient(other);
    let state = await h.act('switch', 'submitCredentials', { actor: actors.alice, clientId: other.clientId, sandboxSecret: await h.secret('switch', 'sandbox', other.secrets.sandbox) });
    expect(state.production).toMatchObject({ id: 'pr-1', decision: 'superseded', reason: expect.stringMatching(/client_id/) });
    expect(stepOf(state, 'production_request').status).toBe('waiting');
    expect(stepOf(state, 'production_approval').status).toBe('waiting');
    await h.act('switch', 'runSandboxTest', { actor: actors.alice });
    await h.until('switch', (s) => stepOf(s, 'sandbox_test').status === 'done', 'the Sandbox test');
    await h.act('switch', 'confirmCodat', { actor: actors.alice });
    const secret = await h.refused('switch', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('switch', 'production', other.secrets.production) });
    expect(secret).toMatchObject({ code: 'OUT_OF_ORDER', message: expect.stringMatching(/step "Production request" is waiting/) });
    expect((await h.refused('switch', 'confirmCodat', { actor: actors.alice, step: 'production_secret' })).code).toBe('OUT_OF_ORDER');
    expect((await h.refused('switch', 'enable', { actor: actors.alice })).message).toMatch(/step "Production request" is waiting/);
    // The old approval cannot be replayed onto the new values either.
    expect((await h.refused('switch', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' })).message).toMatch(/no production request waiting/);
    expect((await h.state('switch')).enabled).toBe(false);

    // The honest path: a new request, approved by someone else, for the new client_id.
    await h.act('switch', 'requestProduction', { actor: actors.alice });
    state = await h.act('switch', 'approveProduction', { actor: actors.bob, requestId: 'pr-2' });
    expect(state.production).toMatchObject({ id: 'pr-2', decision: 'approved', subject: { clientId: other.clientId } });
    await h.act('switch', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('switch', 'production', other.secrets.production) });
    await h.until('switch', (s) => !s.job, 'the Production check');
    await h.act('switch', 'confirmCodat', { actor: actors.alice });
    expect((await h.act('switch', 'enable', { actor: actors.olga })).enabled).toBe(true);
  });
});

test('a decision names its request: a stale Approve for a superseded request, or one naming none, is refused', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('stale');
    await journeyToProductionRequest(h, 'stale', ['US']);
    await h.act('stale', 'requestProduction', { actor: actors.alice });

    // Settings change while the request waits: it no longer stands.
    let state = await h.act('stale', 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'CA', 'GB'], syncMode: 'continuous' });
    expect(state.production).toMatchObject({ id: 'pr-1', decision: 'superseded' });
    expect((await h.refused('stale', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' })).message).toMatch(/no production request waiting/);
    await h.act('stale', 'runSandboxTest', { actor: actors.alice });
    await h.until('stale', (s) => !s.job, 'the Sandbox test again');
    await h.act('stale', 'confirmCodat', { actor: actors.alice });
    await h.act('stale', 'requestProduction', { actor: actors.alice });
    const before = await acceptedUpdates('stale');

    const old = await h.refused('stale', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
    expect(old).toMatchObject({ code: 'STALE_REQUEST', message: expect.stringMatching(/for production request pr-1, which is no longer waiting.*pr-2 \(client_id [0-9a-f]+, countries US,CA,GB/) });
    const oldReject = await h.refused('stale', 'rejectProduction', { actor: actors.bob, requestId: 'pr-1', reason: 'old button' });
    expect(oldReject.code).toBe('STALE_REQUEST');
    const none = await h.sendRaw('stale', 'approveProduction', signAssertion(TEST_ASSERTION_KEY, { update: 'approveProduction', setupId: 'stale', updateId: 'u-none' }, { actor: actors.bob }, { groups: [APPROVERS_GROUP] }), 'u-none');
    expect(none).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/Say which production request you decide on.*pr-2/) });
    expect(await acceptedUpdates('stale')).toBe(before);

    state = await h.act('stale', 'approveProduction', { actor: actors.bob, requestId: 'pr-2' });
    expect(state.production).toMatchObject({ id: 'pr-2', decision: 'approved', subject: { countryCodes: ['US', 'CA', 'GB'] } });
  });
});

describe('roles and identity are the worker’s to decide', () => {
  /** Signs like the bot would, with overrides an attacker might try. */
  function signed(update: string, args: Record<string, unknown>, o: { key?: Buffer; setupId?: string; updateId?: string; groups?: string[]; now?: number } = {}) {
    return signAssertion(o.key ?? TEST_ASSERTION_KEY, { update, setupId: o.setupId ?? 'ids', updateId: o.updateId ?? 'u-1' }, args, {
      groups: o.groups ?? [],
      ...(o.now ? { now: o.now } : {}),
    });
  }

  test('forged roles, unsigned, re-signed, replayed, misdirected and expired assertions are refused and leave no trace', async () => {
    const worker = await h.worker();
    await worker.runUntil(async () => {
      await h.start('ids');
      await journeyToProductionRequest(h, 'ids');
      await h.act('ids', 'requestProduction', { actor: actors.carol });
      const before = await h.state('ids');
      const history = await acceptedUpdates('ids');
      const approve = { actor: actors.alice, requestId: 'pr-1' };

      // Roles in the payload count for nothing: Alice is an operator, whatever she claims.
      const claimed = await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { ...approve, actor: { ...actors.alice, roles: ['approver', 'operator', 'auditor'] } }), 'u-1');
      expect(claimed).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/Alice \(U0ALICE\) is not an approver/) });
      // No assertion at all, as anyone with Temporal access could send.
      const unsigned = await h.sendRaw('ids', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
      expect(unsigned).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/carries no signed actor assertion/) });
      // Signed with a key the worker does not hold.
      const otherKey = await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { actor: actors.bob, requestId: 'pr-1' }, { key: randomBytes(32), groups: [APPROVERS_GROUP] }), 'u-1');
      expect(otherKey).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/not signed with the worker's PLAID_SETUP_ASSERTION_KEY/) });
      // Bob's genuine assertion, its arguments changed afterwards (another actor, another group).
      const genuine = signed('approveProduction', { actor: actors.bob, requestId: 'pr-1' }, { groups: [APPROVERS_GROUP] });
      expect((await h.sendRaw('ids', 'approveProduction', { ...genuine, actor: actors.alice }, 'u-1')).code).toBe('UNAUTHENTICATED');
      expect((await h.sendRaw('ids', 'approveProduction', { ...genuine, assertion: { ...genuine.assertion, groups: ['S0OTHERS'] } }, 'u-1')).code).toBe('UNAUTHENTICATED');
      // The same assertion under another update id, for another setup, or another action.
      expect((await h.sendRaw('ids', 'approveProduction', genuine, 'u-2')).message).toMatch(/signed for another action, setup or update id/);
      expect((await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { actor: actors.bob, requestId: 'pr-1' }, { setupId: 'elsewhere', groups: [APPROVERS_GROUP] }), 'u-1')).code).toBe('UNAUTHENTICATED');
      expect((await h.sendRaw('ids', 'approveProduction', signed('rejectProduction', { actor: actors.bob, requestId: 'pr-1' }, { groups: [APPROVERS_GROUP] }), 'u-1')).code).toBe('UNAUTHENTICATED');
      // Expired: signed three minutes ago.
      const expired = await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { actor: actors.bob, requestId: 'pr-1' }, { groups: [APPROVERS_GROUP], now: Date.now() - 180_000 }), 'u-1');
      expect(expired.message).toMatch(/has expired/);
      // A group is only a group: nobody acts "as" S0APPROVERS, and an unlisted group grants nothing.
      const asGroup = await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { actor: { id: APPROVERS_GROUP, displayName: 'Approvers', source: 'cli' }, requestId: 'pr-1' }), 'u-1');
      expect(asGroup.code).toBe('FORBIDDEN');
      const unlisted = await h.sendRaw('ids', 'approveProduction', signed('approveProduction', { actor: actors.alice, requestId: 'pr-1' }, { groups: ['S0OTHERS'] }), 'u-1');
      expect(unlisted.code).toBe('FORBIDDEN');

      expect(await h.state('ids')).toEqual(before);
      expect(await acceptedUpdates('ids')).toBe(history);
      // Bob's assertion, as the bot sends it, still works.
      const decided = await h.handle('ids').executeUpdate(updates.approveProduction, { args: [genuine as never], updateId: 'u-1' });
      expect(decided.production).toMatchObject({ decision: 'approved', decidedBy: { id: actors.bob.id } });
    });
  });

  test('a start is judged when Temporal accepted it, not when a busy worker first runs it', async () => {
    const input: SetupInput = { setupId: 'queued', name: 'queued', createdBy: actors.alice, options: { reminderAfterMs: 86_400_000, approvalTimeoutMs: 7 * 86_400_000 } };
    // Valid for one more second when Temporal accepts it; no worker runs it until after that.
    const signed = signAssertion(TEST_ASSERTION_KEY, { update: START_ASSERTION, setupId: 'queued' }, { ...input }, { now: Date.now() - ASSERTION_TTL_MS + 1000 });
    await h.temporal.workflow.start(WORKFLOW_TYPE, { workflowId: workflowIdFor('queued'), taskQueue: h.taskQueue, args: [signed] });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const worker = await h.worker();
    await worker.runUntil(async () => {
      expect((await h.state('queued')).name).toBe('queued');
    });
  });

  test('a forged start is refused: carried state, another setup id, unbounded options, an unsigned or non-operator creator', async () => {
    const worker = await h.worker();
    const base: SetupInput = { setupId: 'forged', name: 'forged', createdBy: actors.alice, options: { reminderAfterMs: 86_400_000, approvalTimeoutMs: 7 * 86_400_000 } };
    const sign = (input: SetupInput, o: { key?: Buffer; groups?: string[]; now?: number } = {}) =>
      signAssertion(o.key ?? TEST_ASSERTION_KEY, { update: START_ASSERTION, setupId: 'forged' }, { ...input }, { groups: o.groups ?? [], ...(o.now ? { now: o.now } : {}) });
    /** Starts the workflow with `input` as is and returns why it ended. */
    const refusal = async (input: unknown): Promise<string> => {
      const handle = await h.temporal.workflow.start(WORKFLOW_TYPE, { workflowId: workflowIdFor('forged'), taskQueue: h.taskQueue, args: [input as SetupInput] });
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(INVALID_START);
      return (cause as ApplicationFailure).message;
    };
    await worker.runUntil(async () => {
      await h.start('template');
      await h.act('template', 'confirmRedirect', { actor: actors.alice });
      // A state that claims every step done and the integration enabled.
      const template = await h.state('template');
      const forgedState: SetupState = { ...template, setupId: 'forged', enabled: true, currentStep: null, steps: template.steps.map((s) => ({ ...s, status: 'done' })) };

      expect(await refusal(sign({ ...base, state: forgedState }))).toMatch(/may carry a state only when the workflow continues as new/);
      expect(await refusal(sign({ ...base, setupId: 'other' }))).toMatch(/setup id must be the workflow id's/);
      expect(await refusal(sign({ ...base, options: { reminderAfterMs: 0, approvalTimeoutMs: 7 * 86_400_000 } }))).toMatch(/Invalid options: reminderAfterMs: a timer is at least 1 second/);
      expect(await refusal(sign({ ...base, options: { reminderAfterMs: 86_400_000, approvalTimeoutMs: 1e13 } }))).toMatch(/approvalTimeoutMs: a timer is at most 90 days/);
      expect(await refusal(base)).toMatch(/carries no signed actor assertion/);
      expect(await refusal(sign(base, { key: randomBytes(32) }))).toMatch(/not signed with the worker's PLAID_SETUP_ASSERTION_KEY/);
      expect(await refusal(sign({ ...base, createdBy: actors.dave }))).toMatch(/Dave \(U0DAVE\) is not an operator/);
      // A start input signed three minutes ago, sent now.
      expect(await refusal(sign(base, { now: Date.now() - 3 * 60_000 }))).toMatch(/assertion has expired/);

      // A signed start by an operator still works under the same id.
      await h.start('forged');
      expect((await h.state('forged')).enabled).toBe(false);
    });
  });
});
