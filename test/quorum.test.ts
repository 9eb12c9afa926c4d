/**
 * A quorum of approvers (PLAID_SETUP_APPROVALS_REQUIRED): distinct approvers, never the
 * requester, each counted once; the request is approved only when enough have approved,
 * and a change of the approved values drops the approvals with the request.
 */
import { loadConfig, setupOptionsFor } from '../src/config';
import { SetupOptionsSchema, check } from '../src/shared/schemas';
import type { SetupState, StepState } from '../src/domain/state';
import { type Harness, actors, journeyToProductionRequest } from './support/harness';
import { useWorld } from './support/world';

let h: Harness;
useWorld((w) => ({ h } = w));

const approval = (s: SetupState): StepState => s.steps.find((x) => x.id === 'production_approval')!;

test('two approvers: one approval waits for another, the same approver or the requester cannot make up the second', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('quorum', { approvalsRequired: 2 });
    await journeyToProductionRequest(h, 'quorum');
    const requested = await h.act('quorum', 'requestProduction', { actor: actors.alice });
    expect(approval(requested).detail).toMatch(/^Request pr-1 waits for 2 approvers other than Alice;/);

    const once = await h.act('quorum', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
    expect(once.production).toMatchObject({ required: 2, approvals: [{ by: { id: actors.bob.id } }] });
    expect(once.production?.decision).toBeUndefined();
    expect(approval(once)).toMatchObject({ status: 'in_progress', detail: 'pr-1 approved by Bob (1 of 2); waits for 1 more approver other than Alice and Bob.' });

    expect(await h.refused('quorum', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' })).toMatchObject({
      code: 'ALREADY_DONE',
      message: 'Bob already approved pr-1; it needs 1 more approval from other approvers.',
    });
    expect(await h.refused('quorum', 'approveProduction', { actor: actors.alice, requestId: 'pr-1' })).toMatchObject({ code: 'FORBIDDEN' });
    // One approval of two does not open the Production phase.
    expect(await h.refused('quorum', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('quorum', 'production') })).toMatchObject({ code: 'OUT_OF_ORDER' });

    const twice = await h.act('quorum', 'approveProduction', { actor: actors.carol, requestId: 'pr-1' });
    expect(twice.production).toMatchObject({ decision: 'approved', decidedBy: { id: actors.carol.id } });
    expect(approval(twice)).toMatchObject({ status: 'done', detail: expect.stringMatching(/^pr-1 approved by Bob and Carol: client_id/) });
  });
});

test('changing an approved value after one of two approvals drops it: the new request needs two again', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('requorum', { approvalsRequired: 2 });
    await journeyToProductionRequest(h, 'requorum');
    await h.act('requorum', 'requestProduction', { actor: actors.alice });
    await h.act('requorum', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
    const changed = await h.act('requorum', 'updateSettings', { actor: actors.alice, countryCodes: ['US'], syncMode: 'continuous' });
    expect(changed.production).toMatchObject({ id: 'pr-1', decision: 'superseded' });
    await h.act('requorum', 'runSandboxTest', { actor: actors.alice });
    await h.until('requorum', (s) => !s.job, 'the Sandbox test again');
    await h.act('requorum', 'confirmCodat', { actor: actors.alice });
    await h.act('requorum', 'requestProduction', { actor: actors.alice });
    const again = await h.act('requorum', 'approveProduction', { actor: actors.bob, requestId: 'pr-2' });
    expect(again.production).toMatchObject({ id: 'pr-2', approvals: [{ by: { id: actors.bob.id } }] });
    expect(again.production?.decision).toBeUndefined();
  });
});

test('PLAID_SETUP_APPROVALS_REQUIRED: 1 to 5, and no more than the listed approvers can give', () => {
  expect(setupOptionsFor(loadConfig({}))).toEqual({ reminderAfterMs: 86_400_000, approvalTimeoutMs: 7 * 86_400_000 });
  const lists = { PLAID_SETUP_OPERATORS: 'U1', PLAID_SETUP_APPROVERS: 'U2,U3' };
  expect(setupOptionsFor(loadConfig({ ...lists, PLAID_SETUP_APPROVALS_REQUIRED: '2' })).approvalsRequired).toBe(2);
  expect(() => loadConfig({ ...lists, PLAID_SETUP_APPROVALS_REQUIRED: '3' })).toThrow(/PLAID_SETUP_APPROVALS_REQUIRED: 3 approvals are required but PLAID_SETUP_APPROVERS lists 2/);
  // A user group may hold enough approvers.
  expect(loadConfig({ ...lists, PLAID_SETUP_APPROVERS: 'S0APPROVERS', PLAID_SETUP_APPROVALS_REQUIRED: '3' }).approvalsRequired).toBe(3);
  expect(() => loadConfig({ PLAID_SETUP_APPROVALS_REQUIRED: '0' })).toThrow(/PLAID_SETUP_APPROVALS_REQUIRED: must be at least 1/);
  expect(() => loadConfig({ PLAID_SETUP_APPROVALS_REQUIRED: '6' })).toThrow(/PLAID_SETUP_APPROVALS_REQUIRED: must be at most 5/);
  expect(() => loadConfig({ PLAID_SETUP_APPROVALS_REQUIRED: 'two' })).toThrow(/PLAID_SETUP_APPROVALS_REQUIRED: must be a whole number/);
  // What the workflow accepts in a start input, whoever sends it.
  expect(check(SetupOptionsSchema, { reminderAfterMs: 60_000, approvalTimeoutMs: 60_000, approvalsRequired: 9 })).toEqual({ ok: false, message: 'approvalsRequired: at most 5 approvals can be required' });
});
