/**
 * The view type the builders take and the step status marks (the one-line headline is
 * domain/headline.ts, shared with the CLI).
 */
import type { StepStatus } from '../../shared/schemas';

/** What the workflow's query returns: the state plus what to enter in the Codat Portal. */
export type { SetupView } from '../../domain/state';

export const STATUS_MARK: Record<StepStatus, { emoji: string; word: string }> = {
  waiting: { emoji: ':white_circle:', word: 'waiting' },
  in_progress: { emoji: ':hourglass_flowing_sand:', word: 'in progress' },
  done: { emoji: ':white_check_mark:', word: 'done' },
  failed: { emoji: ':x:', word: 'failed' },
};
