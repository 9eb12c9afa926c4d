/**
 * A setup's audit timeline, read from its Temporal event history (every run, across
 * continue-as-new): each accepted action with its actor and arguments, each check's result
 * or failure with Plaid's request_id, notifications (reminders, approval requests and
 * expiry), and the workflow's start, hand-overs and end. One row per event.
 *
 * History holds references and fingerprints of secrets, never values; arguments are still
 * reduced to the fields an auditor needs, so nothing unexpected is passed on.
 */
import { driftCheckSignal } from '../shared/messages';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { tsToDate } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { stepKeyword } from '../domain/headline';
import { ACTIONS, declarationOf, type ActionName } from '../shared/actions';
import type { SetupState } from '../domain/state';

export interface TimelineRow {
  /** ISO 8601. */
  time: string;
  /** Who acted: a person's display name and id, or "plaid-setup" for the workflow itself. */
  actor: string;
  action: string;
  step: string;
  outcome: string;
  detail: string;
  /** Which run of the workflow (continue-as-new starts a new one). */
  runId: string;
  eventId: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const SYSTEM = 'plaid-setup';

/** The step an update is about; '' for a name that is not an action (a history from another version). */
const stepOf = (name: string): string => (Object.hasOwn(ACTIONS, name) ? declarationOf(name as ActionName).step : '');

const CHECK_STEPS: Record<string, string> = {
  verifyCredentials: 'credentials check',
  checkLinkConfiguration: 'sandbox_test',
  runSandboxSmokeTest: 'sandbox_test',
};

function decode(payloads: { payloads?: Payload[] | null } | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return undefined;
    }
  });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** Arguments as an auditor reads them: secrets as their fingerprints, the actor left out (it has its column). */
function describeArgs(args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (key === 'actor' || value === undefined) continue;
    if (value && typeof value === 'object' && 'fingerprint' in value) parts.push(`${key}=${text((value as { fingerprint: unknown }).fingerprint)}`);
    else if (Array.isArray(value)) parts.push(`${key}=${value.map(text).join(',')}`);
    else if (typeof value !== 'object') parts.push(`${key}=${text(value)}`);
  }
  return parts.join('; ');
}

function actorOf(args: Record<string, unknown>): string {
  const actor = args.actor as { id?: unknown; displayName?: unknown } | undefined;
  return actor ? `${text(actor.displayName)} (${text(actor.id)})` : SYSTEM;
}

function evidenceText(evidence: unknown): string {
  if (!evidence || typeof evidence !== 'object') return '';
  return Object.entries(evidence as Record<string, unknown>)
    .map(([k, v]) => `${k}=${text(v)}`)
    .join('; ');
}

/** The rows of one run's history. */
export function timelineOf(runId: string, events: HistoryEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const updates = new Map<string, { name: string; args: Record<string, unknown>; row: TimelineRow }>();
  const scheduled = new Map<string, { type: string; input: Record<string, unknown> }>();
  // confirmCodat confirms the Portal entries or the Production secret, whichever waits;
  // which one it was shows in the state it returned.
  let secretConfirmed = false;
  const row = (e: HistoryEvent, r: Omit<TimelineRow, 'time' | 'runId' | 'eventId'>): TimelineRow => {
    const full = { time: e.eventTime ? tsToDate(e.eventTime).toISOString() : '', runId, eventId: Number(e.eventId ?? 0), ...r };
    rows.push(full);
    return full;
  };

  for (const e of events) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = (decode(started.input)[0] ?? {}) as { name?: unknown; createdBy?: Record<string, unknown>; state?: SetupState };
      if (input.state) {
        secretConfirmed = !!input.state.data?.productionSecretConfirmed;
        row(e, { actor: SYSTEM, action: 'continued', step: stepKeyword(input.state), outcome: 'run started', detail: `carried state version ${input.state.version}` });
      } else {
        row(e, { actor: actorOf({ actor: input.createdBy }), action: 'start', step: 'setup', outcome: 'started', detail: `name=${text(input.name)}` });
      }
      continue;
    }
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const name = accepted.acceptedRequest?.input?.name ?? 'unknown';
      const args = (decode(accepted.acceptedRequest?.input?.args)[0] ?? {}) as Record<string, unknown>;
      const step = typeof args.step === 'string' ? args.step : stepOf(name);
      const acceptedRow = row(e, { actor: actorOf(args), action: name, step, outcome: 'accepted', detail: describeArgs(args) });
      updates.set(accepted.acceptedRequest?.meta?.updateId ?? '', { name, args, row: acceptedRow });
      continue;
    }
    const completedUpdate = e.workflowExecutionUpdateCompletedEventAttributes;
    if (completedUpdate?.outcome?.success) {
      const update = updates.get(completedUpdate.meta?.updateId ?? '');
      const after = decode(completedUpdate.outcome.success)[0] as Partial<SetupState> | undefined;
      const confirmedNow = !!after?.data?.productionSecretConfirmed;
      if (update?.name === 'confirmCodat' && typeof update.args.step !== 'string' && confirmedNow && !secretConfirmed) update.row.step = 'production_secret';
      if (after?.data) secretConfirmed = confirmedNow;
      continue;
    }
    if (completedUpdate?.outcome?.failure) {
      const update = updates.get(completedUpdate.meta?.updateId ?? '');
      row(e, { actor: update ? actorOf(update.args) : SYSTEM, action: update?.name ?? 'update', step: update ? stepOf(update.name) : '', outcome: 'failed', detail: completedUpdate.outcome.failure.message ?? '' });
      continue;
    }
    const activity = e.activityTaskScheduledEventAttributes;
    if (activity) {
      const type = activity.activityType?.name ?? 'activity';
      const input = (decode(activity.input)[0] ?? {}) as Record<string, unknown>;
      scheduled.set(String(e.eventId), { type, input });
      if (type === 'notify') {
        const n = (input.notification ?? {}) as Record<string, unknown>;
        const requester = n.requestedBy as Record<string, unknown> | undefined;
        const detail = n.kind === 'reminder' ? `waiting on ${text(n.waitingOn)} since ${text(n.idleSince)} (reminder ${text(n.reminderNumber)})` : requester ? `requested by ${text(requester.displayName)}` : '';
        const problem = n.problem as Record<string, unknown> | undefined;
        const step = n.kind === 'drift_failed' ? 'enablement' : text(n.step) || 'production_approval';
        row(e, { actor: SYSTEM, action: `notify ${text(n.kind)}`, step, outcome: 'sent', detail: problem ? `${text(n.environment)} keys refused: ${text(problem.code)}` : detail });
      }
      continue;
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const s = scheduled.get(String(done.scheduledEventId));
      if (s && s.type in CHECK_STEPS) {
        const step = s.type === 'verifyCredentials' ? `${text(s.input.environment)} credentials` : CHECK_STEPS[s.type]!;
        row(e, { actor: 'Plaid', action: s.type, step, outcome: 'passed', detail: evidenceText(decode(done.result)[0]) });
      }
      continue;
    }
    const failed = e.activityTaskFailedEventAttributes;
    if (failed) {
      const s = scheduled.get(String(failed.scheduledEventId));
      const info = failed.failure?.applicationFailureInfo;
      const detail = (decode(info?.details)[0] ?? {}) as Record<string, unknown>;
      const requestId = detail.requestId ? ` (Plaid request ${text(detail.requestId)})` : '';
      row(e, {
        actor: s && s.type in CHECK_STEPS ? 'Plaid' : SYSTEM,
        action: s?.type ?? 'activity',
        step: s?.type === 'verifyCredentials' ? `${text(s.input.environment)} credentials` : (CHECK_STEPS[s?.type ?? ''] ?? ''),
        outcome: info?.nonRetryable ? 'failed' : 'gave up',
        detail: `${text(detail.code) || info?.type || ''}: ${failed.failure?.message ?? ''}${requestId}`,
      });
      continue;
    }
    const signaled = e.workflowExecutionSignaledEventAttributes;
    if (signaled?.signalName === driftCheckSignal.name) {
      row(e, { actor: 'drift watch', action: 'driftCheck', step: 'enablement', outcome: 'asked', detail: 'check the live keys with Plaid' });
      continue;
    }
    if (e.workflowExecutionContinuedAsNewEventAttributes) {
      row(e, { actor: SYSTEM, action: 'continue-as-new', step: '', outcome: 'handed over', detail: 'history grew long; the state moves to a new run' });
      continue;
    }
    const finished = e.workflowExecutionCompletedEventAttributes;
    if (finished) {
      const result = (decode(finished.result)[0] ?? {}) as Record<string, unknown>;
      row(e, { actor: SYSTEM, action: 'end', step: 'setup', outcome: text(result.status), detail: `enabled=${text(result.enabled)}` });
    }
  }
  return rows;
}
