/**
 * One button per checklist action: its action id (from ids.ts), label, style and, for the
 * actions that are hard to undo, a confirmation dialog. A button's value is the setup id,
 * and for a decision also the production request it decides (ids.ts, buttonValue).
 */
import type { ActionsBlock, Button, ConfirmationDialog } from '@slack/types';
import { ACTION_NAMES, type ActionName } from '../../shared/schemas';
import { ACTION_SURFACE } from '../../shared/surface';
import { availableActions, pendingConfirmation } from '../../domain/checklist';
import { BUTTON_ACTIONS, buttonValue, type ButtonId } from '../ids';
import type { SetupView } from './summary';
import { LIMITS, plain, truncatePlain } from './text';

function invert(): Record<ActionName, ButtonId> {
  const byAction = new Map<ActionName, ButtonId>();
  for (const [button, action] of Object.entries(BUTTON_ACTIONS) as Array<[ButtonId, ActionName]>) byAction.set(action, button);
  const missing = ACTION_NAMES.filter((a) => !byAction.has(a));
  if (missing.length > 0) throw new Error(`no button for action(s) ${missing.join(', ')} in BUTTON_ACTIONS`);
  return Object.fromEntries(byAction) as Record<ActionName, ButtonId>;
}

/** The button that leads to each action (BUTTON_ACTIONS read the other way). */
export const ACTION_BUTTONS: Readonly<Record<ActionName, ButtonId>> = invert();

const isDone = (view: SetupView, id: SetupView['steps'][number]['id']) => view.steps.find((s) => s.id === id)?.status === 'done';

/** What the button says; a step already done reads as "Change …" or "Re-run …". */
export function buttonLabel(action: ActionName, view: SetupView): string {
  switch (action) {
    case 'confirmRedirect':
      return 'Confirm redirect URI';
    case 'submitCredentials':
      return isDone(view, 'sandbox_credentials') ? 'Change credentials' : 'Enter credentials';
    case 'updateSettings':
      return isDone(view, 'settings') ? 'Change settings' : 'Choose settings';
    case 'runSandboxTest':
      return view.steps.find((s) => s.id === 'sandbox_test')?.status === 'waiting' ? 'Run Sandbox test' : 'Re-run Sandbox test';
    case 'confirmCodat':
      return pendingConfirmation(view) === 'production_secret'
        ? 'Confirm Production secret is in Codat Portal'
        : 'Confirm Codat Portal entries';
    case 'requestProduction':
      return 'Request production';
    case 'approveProduction':
      return 'Approve production';
    case 'rejectProduction':
      return 'Reject…';
    case 'submitProductionSecret':
      return 'Enter Production secret';
    case 'enable':
      return 'Enable integration';
    case 'disable':
      return 'Disable integration';
    case 'rotateSecret':
      return 'Rotate a secret';
    case 'cancel':
      return 'Cancel setup';
  }
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

export function actionButton(action: ActionName, view: SetupView): Button {
  const button: Button = {
    type: 'button',
    action_id: ACTION_BUTTONS[action],
    text: plain(buttonLabel(action, view), LIMITS.buttonText),
    value: buttonValue(view.setupId, ACTION_SURFACE[action].decision ? view.production?.id : undefined),
  };
  if (action === 'approveProduction') button.style = 'primary';
  if (action === 'rejectProduction' || action === 'cancel') button.style = 'danger';
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
