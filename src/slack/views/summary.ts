/**
 * A setup in a few words: the view type the builders take, step status marks, and the
 * one-line headline shared by the checklist, the Home tab and the fallback texts.
 */
import { STEP_TITLES, type StepStatus } from '../../shared/schemas';
import type { SetupState } from '../../domain/state';
import { pendingConfirmation } from '../../domain/checklist';

/** What the workflow's query returns: the state plus what to enter in the Codat Portal. */
export type { SetupView } from '../../domain/state';

export const STATUS_MARK: Record<StepStatus, { emoji: string; word: string }> = {
  waiting: { emoji: ':white_circle:', word: 'waiting' },
  in_progress: { emoji: ':hourglass_flowing_sand:', word: 'in progress' },
  done: { emoji: ':white_check_mark:', word: 'done' },
  failed: { emoji: ':x:', word: 'failed' },
};

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
    }
  }
  if (view.currentStep) {
    const current = view.steps.find((s) => s.id === view.currentStep);
    const title = STEP_TITLES[view.currentStep];
    if (view.currentStep === 'production_approval' && current?.status === 'in_progress') {
      return 'Waiting for a production approver';
    }
    if (current?.status === 'failed') return `${title} failed`;
    if (view.currentStep === 'production_secret' && pendingConfirmation(view) === 'production_secret') {
      return 'Next: confirm the Production secret is in the Codat Portal';
    }
    return `Next: ${title}`;
  }
  return view.enabled ? 'Enabled' : 'Set up, disabled';
}
