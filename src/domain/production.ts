/**
 * What a production request asks to approve (its subject), how a change of those values
 * supersedes it, and the check that only approved values are enabled.
 */
import { ActionRejected, REJECTION_CODES } from './rejections';
import type { ActorRef, ApprovalSubject, DatedProblem, SetupState } from './state';
import { PERSON_ACTIONS, countriesFor, mark } from './steps';

/** Enabling needs an approval of exactly the values that would be enabled. */
export function refuseUnlessApproved(state: SetupState, what: 'enable' | 'migrate' = 'enable'): void {
  const request = state.production;
  const doing = what === 'enable' ? 'enable the integration' : 'migrate to Production';
  if (request?.decision !== 'approved') {
    throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, `Can't ${doing}: production is not approved; request production first.`);
  }
  const changed = subjectChanges(request.subject, subjectOf(state));
  // The migration is what switches the environment; enabling in production needs it switched.
  if (what === 'enable' && state.data.environment !== request.subject.environment) changed.push({ field: 'environment', now: state.data.environment, approved: request.subject.environment });
  if (changed.length > 0) {
    throw new ActionRejected(
      REJECTION_CODES.NOT_ALLOWED_NOW,
      `Can't ${what}: ${describeChanges(changed)} differ from what ${request.decidedBy?.displayName ?? 'the approver'} approved in ${request.id}; request production again.`,
    );
  }
}

/** The values production would run with now (what a production request asks to approve). */
export function subjectOf(state: SetupState): ApprovalSubject {
  const d = state.data;
  return {
    clientId: d.clientId ?? '',
    environment: 'production',
    countryCodes: countriesFor(d, 'production'),
    syncMode: d.syncMode ?? 'continuous',
    ...(d.linkCustomizationName ? { linkCustomizationName: d.linkCustomizationName } : {}),
  };
}

/** One approved value that differs now. */
export interface SubjectChange {
  field: string;
  now: string;
  approved: string;
}

/** Which approved values differ in `now`, each as the field and both values. */
export function subjectChanges(approved: ApprovalSubject, now: ApprovalSubject): SubjectChange[] {
  // A missing Link customization compares as empty (a customization may be named "none") and reads as "none".
  const fields: Array<[string, (s: ApprovalSubject) => string, (v: string) => string]> = [
    ['client_id', (s) => s.clientId, (v) => v],
    ['country codes', (s) => s.countryCodes.join(','), (v) => v],
    ['sync mode', (s) => s.syncMode, (v) => v],
    ['Link customization', (s) => s.linkCustomizationName ?? '', (v) => v || 'none'],
  ];
  return fields
    .filter(([, value]) => value(approved) !== value(now))
    .map(([field, value, shown]) => ({ field, now: shown(value(now)), approved: shown(value(approved)) }));
}

/** `country codes (US,CA, approved US)`, joined: the changes in words. */
function describeChanges(changes: readonly SubjectChange[]): string {
  return changes.map((c) => `${c.field} (${c.now}, approved ${c.approved})`).join(', ');
}

export function describeSubject(subject: ApprovalSubject): string {
  const link = subject.linkCustomizationName ? `, Link customization "${subject.linkCustomizationName}"` : '';
  return `client_id ${subject.clientId}, countries ${subject.countryCodes.join(',')}, ${subject.syncMode} sync${link}`;
}

/**
 * A request that ended without approval (rejected, or expired): the approval step shows
 * why, and production can be requested again.
 */
export function failApproval(state: SetupState, problem: DatedProblem, by: ActorRef | undefined): void {
  mark(state, 'production_approval', 'failed', problem.at, by, problem.message, { error: problem });
  mark(state, 'production_request', 'waiting', problem.at, by, problem.action);
  state.lastError = { ...problem, step: 'production_approval' };
}

/**
 * After credentials or settings change: a production request (waiting or approved) for
 * other values no longer stands. It is superseded, and production must be requested again.
 */
export function supersedeIfChanged(state: SetupState, now: string, by: ActorRef): void {
  const request = state.production;
  if (!request || (request.decision !== undefined && request.decision !== 'approved')) return;
  const changed = subjectChanges(request.subject, subjectOf(state));
  if (changed.length === 0) return;
  request.decision = 'superseded';
  request.decidedAt = now;
  request.reason = `changed after the request: ${describeChanges(changed)}`;
  request.messagesClosed = false;
  const why = `${changed.map((c) => c.field).join(', ')} changed by ${by.displayName} after production request ${request.id}`;
  mark(state, 'production_request', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_request}`);
  mark(state, 'production_approval', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_approval}`);
  if (state.lastError?.step === 'production_approval') state.lastError = undefined;
}
