/**
 * Every checklist action, declared once: the arguments it takes (and their schema), the
 * role it needs, the step it is about, and how people reach it: the command (the slash
 * subcommand, and the CLI command of the same name), what it does, the free text it takes,
 * whether it decides a production request, the form that collects its fields, and its
 * button. The workflow's
 * updates, the bot's buttons, commands and modals, the CLI's commands and the help are
 * derived from this; the rule and the state change live in domain/rules.ts.
 *
 * Imported by workflow code too, so nothing here may touch I/O.
 */
import * as v from 'valibot';
import {
  ActorSchema,
  ClientIdSchema,
  REDIRECT_URI,
  RequestIdSchema,
  SecretRefSchema,
  SettingsEntries,
  type Role,
  type Schema,
  type StepId,
} from './schemas';

/** The modal (Slack) a form-filled action opens; the CLI asks for the same fields as options and stdin. */
export type ActionForm = 'credentials' | 'settings' | 'productionSecret' | 'reject' | 'rotate';

export interface ActionDeclaration {
  /** The update's arguments (a valibot schema: it runs in the workflow sandbox, see schemas.ts); each carries the actor. */
  args: Schema;
  role: Role;
  /** What it is about, in the audit record: its checklist step, the rotation, or the setup as a whole. */
  step: StepId | 'rotation' | 'setup';
  command: string;
  summary: string;
  /** What its button says; views/buttons.ts words a few differently once their step is done. */
  label: string;
  style?: 'primary' | 'danger';
  /** Free text after the setup name fills this argument. */
  text?: 'note' | 'comment' | 'reason';
  /** It decides a production request, so it names one (`pr-N`). */
  decision?: true;
  form?: ActionForm;
}

/** Who may start a setup (not an action: it creates the workflow the actions act on). */
export const START_ROLE: Role = 'operator';

const note = v.optional(v.pipe(v.string(), v.trim(), v.maxLength(1000, 'at most 1000 characters')));

export const ACTIONS = {
  confirmRedirect: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'application',
    command: 'confirm-redirect',
    summary: `confirm ${REDIRECT_URI} is an allowed redirect URI in Plaid`,
    label: 'Confirm redirect URI',
  },
  submitCredentials: {
    args: v.object({
      actor: ActorSchema,
      clientId: ClientIdSchema,
      sandboxSecret: SecretRefSchema,
      developmentSecret: v.optional(SecretRefSchema),
    }),
    role: 'operator',
    step: 'sandbox_credentials',
    command: 'credentials',
    summary: 'enter the client_id and Sandbox secret',
    label: 'Enter credentials',
    form: 'credentials',
  },
  updateSettings: {
    args: v.object({ ...SettingsEntries, actor: ActorSchema }),
    role: 'operator',
    step: 'settings',
    command: 'settings',
    summary: 'choose environment, country codes, sync mode, Link customization',
    label: 'Choose settings',
    form: 'settings',
  },
  runSandboxTest: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'sandbox_test',
    command: 'sandbox-test',
    summary: 'run the Sandbox test against Plaid',
    label: 'Run Sandbox test',
  },
  confirmCodat: {
    args: v.object({ actor: ActorSchema, step: v.optional(v.picklist(['codat_portal', 'production_secret'], 'the step is codat_portal or production_secret')) }),
    role: 'operator',
    step: 'codat_portal',
    command: 'confirm-codat',
    summary: 'confirm the values (or the Production secret) are entered in the Codat Portal',
    label: 'Confirm Codat Portal entries',
  },
  requestProduction: {
    args: v.object({ actor: ActorSchema, note }),
    role: 'operator',
    step: 'production_request',
    command: 'request-production',
    summary: 'ask an approver to approve production',
    label: 'Request production',
    text: 'note',
  },
  approveProduction: {
    // The request id is optional here so histories from before it replay; the validator requires it.
    args: v.object({ actor: ActorSchema, requestId: v.optional(RequestIdSchema), comment: note }),
    role: 'approver',
    step: 'production_approval',
    command: 'approve',
    summary: 'approve production (approvers; not your own request)',
    label: 'Approve production',
    style: 'primary',
    text: 'comment',
    decision: true,
  },
  rejectProduction: {
    args: v.object({
      actor: ActorSchema,
      requestId: v.optional(RequestIdSchema),
      reason: v.pipe(v.string(), v.trim(), v.minLength(3, 'give a reason of at least 3 characters'), v.maxLength(1000, 'a reason is at most 1000 characters')),
    }),
    role: 'approver',
    step: 'production_approval',
    command: 'reject',
    summary: 'reject production with a reason (approvers; not your own request)',
    label: 'Reject…',
    style: 'danger',
    decision: true,
    form: 'reject',
  },
  submitProductionSecret: {
    args: v.object({ actor: ActorSchema, secret: SecretRefSchema }),
    role: 'operator',
    step: 'production_secret',
    command: 'production-secret',
    summary: 'enter the Production secret; it is verified before use',
    label: 'Enter Production secret',
    form: 'productionSecret',
  },
  enable: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'enablement',
    command: 'enable',
    summary: 'enable the integration',
    label: 'Enable integration',
  },
  disable: {
    args: v.object({ actor: ActorSchema, reason: note }),
    role: 'operator',
    step: 'enablement',
    command: 'disable',
    summary: 'disable the integration',
    label: 'Disable integration',
    text: 'reason',
  },
  checkCodat: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'enablement',
    command: 'check-codat',
    summary: 'read the Plaid integration back from Codat and compare it with the setup',
    label: 'Check Codat',
  },
  rotateSecret: {
    args: v.object({ actor: ActorSchema, kind: v.picklist(['sandbox', 'production'], 'the secret to rotate is sandbox or production'), secret: SecretRefSchema }),
    role: 'operator',
    step: 'rotation',
    command: 'rotate-secret',
    summary: 'replace the Sandbox or Production secret; the new one is verified first',
    label: 'Rotate a secret',
    form: 'rotate',
  },
  writeToCodat: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'codat_portal',
    command: 'write-to-codat',
    summary: 'with CODAT_WRITE_CREDENTIALS: write client_id and the awaiting secret to Codat instead of pasting them, then confirm that step',
    label: 'Write to Codat',
  },
  confirmOldSecretDeleted: {
    args: v.object({ actor: ActorSchema }),
    role: 'operator',
    step: 'rotation',
    command: 'confirm-old-secret-deleted',
    summary: 'after a rotation: say the old secret is deleted in Plaid; plaid-setup checks Plaid refuses it',
    label: 'Old secret deleted in Plaid',
  },
  cancel: {
    args: v.object({ actor: ActorSchema, reason: note }),
    role: 'operator',
    step: 'setup',
    command: 'cancel',
    summary: 'cancel the setup for good',
    label: 'Cancel setup',
    style: 'danger',
    text: 'reason',
  },
} as const satisfies Record<string, ActionDeclaration>;

export type ActionName = keyof typeof ACTIONS;
type ArgsSchema<N extends ActionName> = (typeof ACTIONS)[N]['args'];
export type ActionArgs<N extends ActionName> = v.InferInput<ArgsSchema<N>>;
export type ParsedActionArgs<N extends ActionName> = v.InferOutput<ArgsSchema<N>>;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/** The action's declaration, read as the common shape (optional fields included). */
export function declarationOf(action: ActionName): ActionDeclaration {
  return ACTIONS[action];
}

/** The form an action opens, if any (typed, so the Slack surface can derive its ids). */
export type FormOf<N extends ActionName> = (typeof ACTIONS)[N] extends { form: infer F extends ActionForm } ? F : never;

/** Arguments of every human action, keyed by update name. */
export const ActionArgSchemas = Object.fromEntries(ACTION_NAMES.map((n) => [n, ACTIONS[n].args])) as { readonly [N in ActionName]: ArgsSchema<N> };

/** The action a command leads to. A Map: the command comes from what people type, and a Map has no prototype keys. */
export const COMMAND_ACTIONS: ReadonlyMap<string, ActionName> = new Map(ACTION_NAMES.map((action) => [ACTIONS[action].command, action]));
