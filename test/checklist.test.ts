/**
 * Rules of the pure checklist that need no server: the reminder back-off schedule,
 * country defaults per environment, and role checks for every action.
 */
import { type Actor } from '../src/shared/schemas';
import { policyWith, validateSigned } from './support/policy';
import type { SetupState } from '../src/domain/state';
import { ActionRejected } from '../src/domain/rejections';
import {
  applyAction,
  availableActions,
  codatPortalEntries,
  finishJob,
  initialState,
  nextReminderAt,
  pendingConfirmation,
  recordReminder,
} from '../src/domain/checklist';
import { ACTION_NAMES, declarationOf, type ActionName } from '../src/shared/actions';

const HOUR = 3_600_000;
const created = '2026-01-01T00:00:00.000Z';
const fresh = (): SetupState =>
  initialState({
    setupId: 'acme',
    name: 'acme',
    createdBy: { id: 'U1', displayName: 'Alice', source: 'cli' },
    createdAt: created,
    options: { reminderAfterMs: 24 * HOUR, approvalTimeoutMs: 7 * 24 * HOUR },
  });

test('reminders back off: 24h, then 48h, 96h, 192h, and stay at 192h', () => {
  const state = fresh();
  const start = Date.parse(created);
  const gaps: number[] = [];
  let last = start;
  for (let i = 0; i < 6; i++) {
    const due = nextReminderAt(state)!;
    gaps.push((due - last) / HOUR);
    last = due;
    recordReminder(state);
  }
  expect(gaps).toEqual([24, 48, 96, 192, 192, 192]);
});

test('no reminder while nothing waits on a person', () => {
  const state = fresh();
  state.status = 'cancelled';
  expect(nextReminderAt(state)).toBeUndefined();
});

test('empty country codes mean every supported country in Sandbox', () => {
  const state = fresh();
  expect(state.data.countryCodes).toEqual(['US', 'CA', 'ES', 'FR', 'GB', 'IE', 'NL']);
  expect(codatPortalEntries(state).find((e) => e.field === 'Country codes')?.value).toBe('US, CA, ES, FR, GB, IE, NL');
});

const ref = { ref: 'vault:acme/sandbox/v1', fingerprint: 'sha256:0123456789ab' };
const validArgs: Record<ActionName, Record<string, unknown>> = {
  confirmRedirect: {},
  submitCredentials: { clientId: '68028ce48d2b0dec68747f6c', sandboxSecret: ref },
  updateSettings: { syncMode: 'continuous' },
  runSandboxTest: {},
  confirmCodat: {},
  requestProduction: {},
  approveProduction: {},
  rejectProduction: { reason: 'because' },
  submitProductionSecret: { secret: ref },
  enable: {},
  disable: {},
  checkCodat: {},
  confirmOldSecretDeleted: {},
  writeToCodat: {},
  rotateSecret: { kind: 'sandbox', secret: ref },
  cancel: {},
};

test.each(ACTION_NAMES)('%s is refused to someone without its role, before any step rule', (action) => {
  const needed = declarationOf(action).role;
  const others = (['operator', 'approver', 'auditor'] as const).filter((r) => r !== needed);
  const actor: Actor = { id: 'U9', displayName: 'Mallory', source: 'slack' };
  const attempt = () => validateSigned(policyWith({ U9: others }), fresh(), action, { actor, ...validArgs[action] });
  expect(attempt).toThrow(ActionRejected);
  expect(attempt).toThrow(new RegExp(`not an ${needed}`));
});

describe('availableActions: exactly the actions the rules would accept now', () => {
  const alice: Actor = { id: 'U1', displayName: 'Alice', source: 'slack' };
  const bob: Actor = { id: 'U2', displayName: 'Bob', source: 'slack' };
  const policy = policyWith({ U1: ['operator', 'approver'], U2: ['approver'], U3: ['operator', 'approver'] });
  /** A decision names the request waiting now, as its button does. */
  const argsFor = (state: SetupState, name: ActionName) => ({ ...validArgs[name], ...(state.production ? { requestId: state.production.id } : {}) });
  const act = (state: SetupState, name: ActionName, actor: Actor = alice) =>
    applyAction(state, name, validateSigned(policy, state, name, { actor, ...argsFor(state, name) }), created);
  /** What validateAction accepts for someone holding every role who did not request production. */
  const accepted = (state: SetupState) =>
    ACTION_NAMES.filter((name) => {
      try {
        validateSigned(policy, state, name, { actor: { ...bob, id: 'U3' }, ...argsFor(state, name) });
        return true;
      } catch {
        return false;
      }
    });

  test('at each point of a journey', () => {
    const state = fresh();
    const seen: ActionName[][] = [];
    const check = () => {
      expect(availableActions(state)).toEqual(accepted(state));
      seen.push(availableActions(state));
    };
    check();
    act(state, 'confirmRedirect');
    check();
    act(state, 'submitCredentials');
    act(state, 'updateSettings');
    check();
    act(state, 'runSandboxTest');
    check();
    expect(availableActions(state)).not.toContain('runSandboxTest');
    finishJob(state, state.job!.id, { ok: true, evidence: {} }, created);
    check();
    expect(pendingConfirmation(state)).toBe('codat_portal');
    act(state, 'confirmCodat');
    act(state, 'requestProduction');
    check();
    expect(availableActions(state)).toEqual(expect.arrayContaining(['approveProduction', 'rejectProduction']));
    act(state, 'approveProduction', bob);
    act(state, 'submitProductionSecret');
    finishJob(state, state.job!.id, { ok: true, evidence: {} }, created);
    expect(pendingConfirmation(state)).toBe('production_secret');
    act(state, 'confirmCodat');
    check();
    act(state, 'enable');
    check();
    expect(availableActions(state)).toEqual(expect.arrayContaining(['disable', 'rotateSecret']));
    // An enabled integration is disabled before the setup can be cancelled.
    expect(availableActions(state)).not.toContain('cancel');
    act(state, 'disable');
    check();
    act(state, 'cancel');
    expect(availableActions(state)).toEqual([]);
    expect(new Set(seen.map((s) => s.join()))).toHaveProperty('size', seen.length);
  });
});
