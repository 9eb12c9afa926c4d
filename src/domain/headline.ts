/**
 * A setup in a few words, the same in Slack (checklist, Home tab, fallback texts) and the
 * CLI; and the one keyword for where it is, for search attributes and the audit record.
 */
import { STEP_TITLES, type StepId } from '../shared/schemas';
import { pendingConfirmation } from './checklist';
import type { SetupState } from './state';

/** Plain words (no mrkdwn): what the setup is doing or waiting for now. */
export function headline(view: SetupState): string {
  if (view.status === 'cancelled') return 'Cancelled';
  if (view.job) {
    switch (view.job.kind) {
      case 'sandbox_test':
        return 'Sandbox test running';
      case 'production_secret':
        return 'Verifying the Production secret with Plaid';
      case 'rotation':
        return `Rotating the ${view.job.secretKind} secret`;
      case 'drift':
        return 'Checking the live keys with Plaid';
      case 'retire':
        return `Checking Plaid refuses the old ${view.job.secretKind} secret`;
      case 'codat_write':
        return 'Writing the credentials to Codat';
      case 'migration':
        return 'Migrating to Production: Plaid Production is checking the keys';
    }
  }
  if (view.attention) return `Needs attention: ${view.attention.message}`;
  if (view.currentStep) {
    const current = view.steps.find((s) => s.id === view.currentStep);
    const title = STEP_TITLES[view.currentStep];
    if (view.currentStep === 'production_approval' && current?.status === 'in_progress') {
      return 'Waiting for a production approver';
    }
    if (current?.status === 'failed') return `${title} failed`;
    // Enabled in Sandbox, on the way to Production.
    const phase = view.enabled && view.data.environment === 'sandbox' ? 'Enabled in Sandbox; ' : '';
    if (view.currentStep === 'production_secret' && pendingConfirmation(view) === 'production_secret') {
      return `${phase}${phase ? 'next' : 'Next'}: confirm the Production secret is in the Codat Portal${phase ? ', which switches to Production' : ''}`;
    }
    return `${phase}${phase ? 'next' : 'Next'}: ${title}`;
  }
  return view.enabled ? 'Enabled' : 'Set up, disabled';
}

/** Where a setup is, as one word: its next step's id, `complete`, or `cancelled`. */
export function stepKeyword(state: SetupState): StepId | 'complete' | 'cancelled' {
  return state.status === 'cancelled' ? 'cancelled' : (state.currentStep ?? 'complete');
}
