/**
 * Durable timers on a real Temporal server: reminders while a step waits on a person,
 * and expiry of an unanswered production approval. Durations are configured in seconds
 * here; the back-off schedule itself is covered in checklist.test.ts.
 */
import { historyTimeline } from '../src/audit/export';
import type { SetupState } from '../src/domain/state';
import { type Harness, actors, journeyToProductionRequest, waitFor } from './support/harness';
import { useWorld } from './support/world';

const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;

let h: Harness;
useWorld((w) => ({ h } = w));

const notified = (done: (count: number) => boolean, what: string) => waitFor(() => h.notifications.length, done, what);

test('an idle step gets repeated reminders, and an accepted action starts the count again', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const started = await h.start('idle', { reminderAfterMs: 1000 });
    await notified((n) => n >= 2, 'two reminders');
    const createdAt = (await h.state('idle')).createdAt;
    expect(h.notifications.slice(0, 2)).toEqual([
      { kind: 'reminder', setupId: 'idle', step: 'application', waitingOn: 'operators', idleSince: createdAt, reminderNumber: 1 },
      { kind: 'reminder', setupId: 'idle', step: 'application', waitingOn: 'operators', idleSince: createdAt, reminderNumber: 2 },
    ]);
    const seen = h.notifications.length;
    await h.act('idle', 'confirmRedirect', { actor: actors.alice });
    await notified((n) => n > seen, 'a reminder about the next step');
    expect(h.notifications.at(-1)).toMatchObject({ kind: 'reminder', step: 'sandbox_credentials', reminderNumber: 1 });
    // The reminders went through the notify activity and are in history.
    const events = (await started.fetchHistory()).events ?? [];
    const notifies = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify');
    expect(notifies.length).toBeGreaterThanOrEqual(3);
  });
});

test('an unanswered production request expires; approvers were reminded; production can be requested again', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('expiry', { reminderAfterMs: 1500, approvalTimeoutMs: 4000 });
    await h.act('expiry', 'confirmRedirect', { actor: actors.alice });
    await h.act('expiry', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('expiry', 'sandbox') });
    await h.act('expiry', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('expiry', 'runSandboxTest', { actor: actors.alice });
    await h.until('expiry', (s) => stepOf(s, 'sandbox_test').status === 'done');
    await h.act('expiry', 'confirmCodat', { actor: actors.alice });
    h.notifications.length = 0;
    await h.act('expiry', 'requestProduction', { actor: actors.alice });

    const state = await h.until('expiry', (s) => s.production?.decision === 'expired', 'expiry');
    expect(stepOf(state, 'production_approval')).toMatchObject({ status: 'failed', error: { code: 'APPROVAL_EXPIRED' } });
    expect(stepOf(state, 'production_request').status).toBe('waiting');
    await waitFor(() => h.notifications.some((n) => n.kind === 'approval_expired'), Boolean, 'the expiry notice');
    const kinds = h.notifications.map((n) => (n.kind === 'reminder' ? `reminder:${n.waitingOn}:${n.step}` : n.kind));
    expect(kinds[0]).toBe('approval_requested');
    expect(kinds).toContain('reminder:approvers:production_approval');
    expect(kinds.indexOf('approval_expired')).toBeGreaterThan(kinds.indexOf('reminder:approvers:production_approval'));

    const late = await h.refused('expiry', 'approveProduction', { actor: actors.bob });
    expect(late.message).toMatch(/no production request waiting/);
    await h.act('expiry', 'requestProduction', { actor: actors.alice });
    const approved = await h.act('expiry', 'approveProduction', { actor: actors.bob });
    expect(stepOf(approved, 'production_approval').status).toBe('done');
  });

  // The audit timeline has the timers that fired: the reminder to approvers, then the expiry.
  const rows = (await historyTimeline(h.temporal, 'expiry')).filter((r) => r.action.startsWith('notify'));
  expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['notify approval_requested', 'notify reminder', 'notify approval_expired']));
  const reminder = rows.find((r) => r.action === 'notify reminder' && r.step === 'production_approval');
  expect(reminder?.detail).toMatch(/^waiting on approvers since \S+ \(reminder \d+\)$/);
  const expired = rows.findIndex((r) => r.action === 'notify approval_expired');
  expect(expired).toBeGreaterThan(rows.indexOf(reminder!));
  expect(rows[expired]).toMatchObject({ actor: 'plaid-setup', step: 'production_approval', outcome: 'sent' });
});

test('actions that move a deadline later start no timer; a deadline earlier than the armed one still fires on time', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    // Reminders in 10 minutes; an approval request expires after 3 seconds.
    await h.start('alarm', { reminderAfterMs: 600_000, approvalTimeoutMs: 3000 });
    await journeyToProductionRequest(h, 'alarm');
    // Five actions and a check, each action moving the reminder later: still the one timer armed at the start.
    expect(await h.timersStarted('alarm')).toEqual([600_000]);

    await h.act('alarm', 'requestProduction', { actor: actors.alice });
    // The expiry comes long before the armed reminder: the alarm is re-armed for it.
    const state = await h.until('alarm', (s) => s.production?.decision === 'expired', 'the expiry, 3 s after the request');
    expect(stepOf(state, 'production_approval').error?.code).toBe('APPROVAL_EXPIRED');
    const timers = await h.timersStarted('alarm');
    expect(timers[0]).toBe(600_000);
    expect(timers.some((ms) => ms <= 3000)).toBe(true);
  });
});
