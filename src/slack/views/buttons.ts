/**
 * One button per checklist action: its action id (from ids.ts), label, style and, for the
 * actions that are hard to undo, a confirmation dialog. A button's value is the setup id,
 * and for a decision also the production request it decides (ids.ts, buttonValue).
 */
import type { ActionsBlock, Button, ConfirmationDialog } from '@slack/types';
import { availableActions, pendingConfirmation } from '../../domain/checklist';
import { ACTION_BUTTONS, buttonValue } from '../ids';
import type { SetupView } from './summary';
import { LIMITS, plain, truncatePlain } from './text';
import { declarationOf, type ActionName } from '../../shared/actions';

const isDone = (view: SetupView, id: SetupView['steps'][number]['id']) => view.steps.find((s) => s.id === id)?.status === 'done';

/** What the button says: its declared label, but a step already done reads as "Change …" or "Re-run …". */
export function buttonLabel(action: ActionName, view: SetupView): string {
  switch (action) {
    case 'submitCredentials':
      if (isDone(view, 'sandbox_credentials')) return 'Change credentials';
      break;
    case 'updateSettings':
      if (isDone(view, 'settings')) return 'Change settings';
      break;
    case 'runSandboxTest':
      if (view.steps.find((s) => s.id === 'sandbox_test')?.status !== 'waiting') return 'Re-run Sandbox test';
      break;
    case 'confirmCodat':
      if (pendingConfirmation(view) === 'production_secret') return 'Confirm Production secret is in Codat Portal';
      break;
  }
  return declarationOf(action).label;
}

function confirmation(title: string, text: string, confirm: string): ConfirmationDialog {
  return {
    title: plain(title, LIMITS.confirmTitle),
    text: plain(text, LIMITS.confirmText),
    confirm: plain(confirm, LIMITS.confirmButton),
    deny: plain('Keep it', LIMITS.confirmButton),
    style: 'danger',
  };
}

function confirmFor(action: ActionName, view: SetupView): ConfirmationDialog | undefined {
  const name = truncatePlain(view.name, 60);
  switch (action) {
    case 'cancel':
      return confirmation(
        `Cancel setup ${name}?`,
        'Cancelling ends this setup for good: any running check stops and no button works afterwards. To try again, start a new setup.',
        'Cancel setup',
      );
    case 'disable':
      return confirmation(
        `Disable Plaid for ${name}?`,
        'Codat stops using this Plaid integration until someone enables it again. Credentials and settings are kept.',
        'Disable',
      );
    default:
      return undefined;
  }
}

/** An action's button as declared (id, label, style), carrying `value`. */
export function declaredButton(action: ActionName, value: string, label: string = declarationOf(action).label): Button {
  const { style } = declarationOf(action);
  return { type: 'button', action_id: ACTION_BUTTONS[action], text: plain(label, LIMITS.buttonText), value, ...(style ? { style } : {}) };
}

export function actionButton(action: ActionName, view: SetupView): Button {
  const button = declaredButton(action, buttonValue(view.setupId, declarationOf(action).decision ? view.production?.id : undefined), buttonLabel(action, view));
  const confirm = confirmFor(action, view);
  if (confirm) button.confirm = confirm;
  return button;
}

/**
 * Actions blocks with a button for each action the state allows now (optionally only
 * those in `only`), at most 25 buttons per block. None once the setup is cancelled.
 */
export function actionBlocks(view: SetupView, only?: readonly ActionName[]): ActionsBlock[] {
  if (view.status === 'cancelled') return [];
  const actions = availableActions(view).filter((a) => !only || only.includes(a));
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < actions.length; i += LIMITS.actionsElements) {
    blocks.push({
      type: 'actions',
      // The version in the block id makes a click name the state it was made on: the bot
      // derives the Temporal update id from it, so a double click is one action.
      block_id: `actions-v${view.version}-${i / LIMITS.actionsElements}`,
      elements: actions.slice(i, i + LIMITS.actionsElements).map((a) => actionButton(a, view)),
    });
  }
  return blocks;
}
