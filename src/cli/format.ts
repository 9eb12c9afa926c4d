/**
 * How the CLI shows a setup to a person. JSON output is the query's state as is.
 */
import type { SetupState, StepState } from '../domain/state';
import { headline } from '../domain/headline';
import { describeSubject } from '../domain/production';

const MARK: Record<StepState['status'], string> = {
  waiting: '[ ]',
  in_progress: '[~]',
  done: '[x]',
  failed: '[!]',
};

export type StateView = SetupState & { codatPortal?: Array<{ field: string; value: string }> };

export function formatState(state: StateView): string {
  const lines: string[] = [];
  lines.push(`${state.name} (${state.setupId}) - ${headline(state)} - ${state.data.environment} - version ${state.version}`);
  for (const s of state.steps) {
    const who = s.actor ? ` - ${s.actor.displayName}${s.at ? ` at ${s.at}` : ''}` : '';
    lines.push(`${MARK[s.status]} ${s.id.padEnd(20)} ${s.status}${who}`);
    if (s.detail) lines.push(`      ${s.detail}`);
    if (s.error) lines.push(`      To fix: ${s.error.action}${s.error.requestId ? ` (Plaid request ${s.error.requestId})` : ''}`);
    if (s.evidence) {
      lines.push(`      Evidence: ${Object.entries(s.evidence).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    }
    if (s.id === 'codat_portal' && s.status !== 'done' && state.codatPortal && state.data.clientId) {
      for (const entry of state.codatPortal) lines.push(`        ${entry.field}: ${entry.value}`);
    }
  }
  if (state.production) {
    const p = state.production;
    // Approvers name this id: plaid-setup approve <name> --request <id>.
    lines.push(`Production request ${p.id} (${p.decision ?? 'waiting for a decision'}): ${describeSubject(p.subject)}`);
  }
  if (state.rotation) {
    const r = state.rotation;
    lines.push(`Rotation of the ${r.kind} secret ${r.fingerprint}: ${r.status}${r.error ? ` - ${r.error.message} ${r.error.action}` : ''}`);
  }
  if (state.lastError) lines.push(`Last error (${state.lastError.step}): ${state.lastError.message} ${state.lastError.action}`);
  if (state.cancelled) lines.push(`Cancelled by ${state.cancelled.actor.displayName} at ${state.cancelled.at}${state.cancelled.reason ? `: ${state.cancelled.reason}` : ''}`);
  return `${lines.join('\n')}\n`;
}
