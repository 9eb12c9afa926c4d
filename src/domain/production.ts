/**
 * What a production request asks to approve (its subject), how a change of those values
 * supersedes it, and the check that only approved values are enabled.
 */
import { ActionRejected, REJECTION_CODES } from './rejections';
import type { ActorRef, ApprovalSubject, SetupState } from './state';
import { PERSON_ACTIONS, countriesFor, mark } from './steps';

/** Enabling needs an approval of exactly the values that would be enabled. */
export function refuseUnlessApproved(state: SetupState): void {
  const request = state.production;
  if (request?.decision !== 'approved') {
    throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, "Can't enable the integration: production is not approved; request production first.");
  }
  const changed = subjectChanges(request.subject, subjectOf(state));
  if (state.data.environment !== request.subject.environment) changed.push(`environment (${state.data.environment}, approved ${request.subject.environment})`);
  if (changed.length > 0) {
    throw new ActionRejected(
      REJECTION_CODES.NOT_ALLOWED_NOW,
      `Can't enable: ${changed.join(', ')} differ from what ${request.decidedBy?.displayName ?? 'the approver'} approved in ${request.id}; request production again.`,
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

/** Which approved values differ in `now`, in words. */
export function subjectChanges(approved: ApprovalSubject, now: ApprovalSubject): string[] {
  const changes: string[] = [];
  if (approved.clientId !== now.clientId) changes.push(`client_id (${now.clientId}, approved ${approved.clientId})`);
  if (approved.countryCodes.join(',') !== now.countryCodes.join(',')) {
    changes.push(`country codes (${now.countryCodes.join(',')}, approved ${approved.countryCodes.join(',')})`);
  }
  if (approved.syncMode !== now.syncMode) changes.push(`sync mode (${now.syncMode}, approved ${approved.syncMode})`);
  if ((approved.linkCustomizationName ?? '') !== (now.linkCustomizationName ?? '')) {
    changes.push(`Link customization (${now.linkCustomizationName ?? 'none'}, approved ${approved.linkCustomizationName ?? 'none'})`);
  }
  return changes;
}

export function describeSubject(subject: ApprovalSubject): string {
  const link = subject.linkCustomizationName ? `, Link customization "${subject.linkCustomizationName}"` : '';
  return `client_id ${subject.clientId}, countries ${subject.countryCodes.join(',')}, ${subject.syncMode} sync${link}`;
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
  request.reason = `changed after the request: ${changed.join(', ')}`;
  request.messagesClosed = false;
  const why = `${changed.map((c) => c.replace(/ \(.*$/, '')).join(', ')} changed by ${by.displayName} after production request ${request.id}`;
  mark(state, 'production_request', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_request}`);
  mark(state, 'production_approval', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_approval}`);
  if (state.lastError?.step === 'production_approval') state.lastError = undefined;
}
