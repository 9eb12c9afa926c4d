/**
 * How people reach each checklist action, declared once: the command (the slash
 * subcommand, and the CLI command of the same name), what it does, which free text after
 * the setup name it takes, whether it decides a production request, and the form that
 * collects its fields. The bot, the CLI and the help derive their surfaces from this.
 */
import { REDIRECT_URI, type ActionName } from './schemas';

/** The modal (Slack) a form-filled action opens; the CLI asks for the same fields as options and stdin. */
export type ActionForm = 'credentials' | 'settings' | 'productionSecret' | 'reject' | 'rotate';

export interface ActionSurface {
  command: string;
  summary: string;
  /** Free text after the setup name fills this argument. */
  text?: 'note' | 'comment' | 'reason';
  /** It decides a production request, so it names one (`pr-N`). */
  decision?: true;
  form?: ActionForm;
}

export const ACTION_SURFACE: { readonly [N in ActionName]: ActionSurface } = {
  confirmRedirect: { command: 'confirm-redirect', summary: `confirm ${REDIRECT_URI} is an allowed redirect URI in Plaid` },
  submitCredentials: { command: 'credentials', summary: 'enter the client_id and Sandbox secret', form: 'credentials' },
  updateSettings: { command: 'settings', summary: 'choose environment, country codes, sync mode, Link customization', form: 'settings' },
  runSandboxTest: { command: 'sandbox-test', summary: 'run the Sandbox test against Plaid' },
  confirmCodat: { command: 'confirm-codat', summary: 'confirm the values (or the Production secret) are entered in the Codat Portal' },
  requestProduction: { command: 'request-production', summary: 'ask an approver to approve production', text: 'note' },
  approveProduction: { command: 'approve', summary: 'approve production (approvers; not your own request)', text: 'comment', decision: true },
  rejectProduction: { command: 'reject', summary: 'reject production with a reason (approvers; not your own request)', decision: true, form: 'reject' },
  submitProductionSecret: { command: 'production-secret', summary: 'enter the Production secret; it is verified before use', form: 'productionSecret' },
  enable: { command: 'enable', summary: 'enable the integration' },
  disable: { command: 'disable', summary: 'disable the integration', text: 'reason' },
  rotateSecret: { command: 'rotate-secret', summary: 'replace the Sandbox or Production secret; the new one is verified first', form: 'rotate' },
  cancel: { command: 'cancel', summary: 'cancel the setup for good', text: 'reason' },
};

/** The action a command leads to. A Map: the command comes from what people type, and a Map has no prototype keys. */
export const COMMAND_ACTIONS: ReadonlyMap<string, ActionName> = new Map(
  (Object.keys(ACTION_SURFACE) as ActionName[]).map((action) => [ACTION_SURFACE[action].command, action]),
);
