/**
 * Escalation: a production request nobody has decided on after PLAID_SETUP_ESCALATE_AFTER
 * goes to the escalation approvers, once, before it expires; a decided one does not.
 */
import { loadConfig, setupOptionsFor } from '../src/config';
import { type Harness, actors, journeyToProductionRequest, waitFor } from './support/harness';
import { useWorld } from './support/world';

let h: Harness;
useWorld((w) => ({ h } = w));

const escalations = (setupId: string) => h.notifications.filter((n) => n.kind === 'approval_escalated' && n.setupId === setupId);

test('an undecided request is escalated once, after the escalation time and before it expires; the escalation approvers can then decide', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('escalated', { escalateAfterMs: 1500 });
    await journeyToProductionRequest(h, 'escalated');
    const requested = await h.act('escalated', 'requestProduction', { actor: actors.alice });
    expect(escalations('escalated')).toEqual([]);

    const [sent] = await waitFor(() => escalations('escalated'), (e) => e.length > 0, 'the escalation');
    expect(sent).toMatchObject({ requestId: 'pr-1', requestedBy: { id: actors.alice.id }, requestedAt: requested.production?.requestedAt, expiresAt: requested.production?.expiresAt });
    const state = await h.state('escalated');
    expect(Date.parse(state.production?.escalatedAt ?? '') - Date.parse(state.production?.requestedAt ?? '')).toBeGreaterThanOrEqual(1500);

    // Not again: one escalation per request.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(escalations('escalated')).toHaveLength(1);
    const decided = await h.act('escalated', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
    expect(decided.production?.decision).toBe('approved');
  });
});

test('a request decided before the escalation time is not escalated', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('prompt', { escalateAfterMs: 1500 });
    await journeyToProductionRequest(h, 'prompt');
    await h.act('prompt', 'requestProduction', { actor: actors.alice });
    await h.act('prompt', 'approveProduction', { actor: actors.bob, requestId: 'pr-1' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(escalations('prompt')).toEqual([]);
    expect((await h.state('prompt')).production?.escalatedAt).toBeUndefined();
  });
});

test('PLAID_SETUP_ESCALATION_APPROVERS and PLAID_SETUP_ESCALATE_AFTER: user ids who are approvers, and a time before expiry', () => {
  const lists = { PLAID_SETUP_OPERATORS: 'U0OP', PLAID_SETUP_APPROVERS: 'U0AP,U0BOSS' };
  const config = loadConfig({ ...lists, PLAID_SETUP_ESCALATION_APPROVERS: 'U0BOSS', PLAID_SETUP_ESCALATE_AFTER: '24h' });
  expect(config.escalation).toEqual({ approvers: ['U0BOSS'], afterMs: 86_400_000 });
  expect(setupOptionsFor(config).escalateAfterMs).toBe(86_400_000);
  expect(setupOptionsFor(loadConfig(lists)).escalateAfterMs).toBeUndefined();
  expect(() => loadConfig({ ...lists, PLAID_SETUP_ESCALATION_APPROVERS: 'U0BOSS', PLAID_SETUP_ESCALATE_AFTER: '7d' })).toThrow(
    /PLAID_SETUP_ESCALATE_AFTER: must be shorter than PLAID_SETUP_APPROVAL_TIMEOUT \(7d\)/,
  );
  expect(() => loadConfig({ ...lists, PLAID_SETUP_ESCALATION_APPROVERS: 'S0BOSSES' })).toThrow(/PLAID_SETUP_ESCALATION_APPROVERS: list Slack user ids/);
  expect(() => loadConfig({ ...lists, PLAID_SETUP_ESCALATION_APPROVERS: 'U0STRANGER' })).toThrow(/each must also be an approver/);
  // Behind a listed user group, membership is the bot's to check.
  expect(loadConfig({ ...lists, PLAID_SETUP_APPROVERS: 'S0APPROVERS', PLAID_SETUP_ESCALATION_APPROVERS: 'U0STRANGER' }).escalation?.approvers).toEqual(['U0STRANGER']);
  expect(() => loadConfig({ ...lists, PLAID_SETUP_ESCALATION_APPROVERS: 'U0BOSS', PLAID_SETUP_ESCALATE_AFTER: 'soon' })).toThrow(/PLAID_SETUP_ESCALATE_AFTER: use a number and a unit/);
});
