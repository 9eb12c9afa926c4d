/**
 * The identifiers the bot's Slack surfaces share with its handlers: button action ids,
 * modal callback ids, modal input block/action ids, and what rides in button values and
 * private_metadata (never a secret: Slack echoes both back in every payload).
 */
import { z } from 'zod';
import type { AuditFormat } from '../audit/export';
import { RequestIdSchema, type ActionName } from '../shared/schemas';

export const SLASH_COMMAND = '/plaid-setup';

/** Buttons. Each button's `value` is `buttonValue(...)`: the setup id, and for decisions the request id. */
export const BUTTONS = {
  confirmRedirect: 'plaid_setup.confirm_redirect',
  openCredentials: 'plaid_setup.open_credentials',
  openSettings: 'plaid_setup.open_settings',
  runSandboxTest: 'plaid_setup.run_sandbox_test',
  confirmCodat: 'plaid_setup.confirm_codat',
  requestProduction: 'plaid_setup.request_production',
  approveProduction: 'plaid_setup.approve_production',
  openReject: 'plaid_setup.open_reject',
  openProductionSecret: 'plaid_setup.open_production_secret',
  enable: 'plaid_setup.enable',
  disable: 'plaid_setup.disable',
  openRotate: 'plaid_setup.open_rotate',
  cancel: 'plaid_setup.cancel',
} as const;
export type ButtonId = (typeof BUTTONS)[keyof typeof BUTTONS];

/** Which checklist action each button leads to (directly, or through its modal). */
export const BUTTON_ACTIONS: Record<ButtonId, ActionName> = {
  [BUTTONS.confirmRedirect]: 'confirmRedirect',
  [BUTTONS.openCredentials]: 'submitCredentials',
  [BUTTONS.openSettings]: 'updateSettings',
  [BUTTONS.runSandboxTest]: 'runSandboxTest',
  [BUTTONS.confirmCodat]: 'confirmCodat',
  [BUTTONS.requestProduction]: 'requestProduction',
  [BUTTONS.approveProduction]: 'approveProduction',
  [BUTTONS.openReject]: 'rejectProduction',
  [BUTTONS.openProductionSecret]: 'submitProductionSecret',
  [BUTTONS.enable]: 'enable',
  [BUTTONS.disable]: 'disable',
  [BUTTONS.openRotate]: 'rotateSecret',
  [BUTTONS.cancel]: 'cancel',
};

/** The action a clicked button leads to; undefined for any other action_id (never a prototype member). */
export function buttonAction(actionId: string): ActionName | undefined {
  return Object.hasOwn(BUTTON_ACTIONS, actionId) ? BUTTON_ACTIONS[actionId as ButtonId] : undefined;
}

/**
 * The history summary's export buttons, one per format; `value` is the setup id. Not under
 * `plaid_setup.`: they lead to no checklist action.
 */
export const HISTORY_EXPORTS: Record<AuditFormat, string> = {
  md: 'plaid_setup_history.export_md',
  csv: 'plaid_setup_history.export_csv',
  json: 'plaid_setup_history.export_json',
};

/** Modal callback ids. */
export const VIEWS = {
  credentials: 'plaid_setup.credentials',
  settings: 'plaid_setup.settings',
  productionSecret: 'plaid_setup.production_secret',
  reject: 'plaid_setup.reject',
  rotate: 'plaid_setup.rotate',
} as const;
export type ViewId = (typeof VIEWS)[keyof typeof VIEWS];

/**
 * Modal inputs: each input block's block_id, with its element's action_id `value`.
 * Field errors in `response_action: 'errors'` are keyed by these block ids.
 */
export const FIELDS = {
  clientId: 'client_id',
  sandboxSecret: 'sandbox_secret',
  developmentSecret: 'development_secret',
  countryCodes: 'country_codes',
  syncMode: 'sync_mode',
  linkCustomization: 'link_customization',
  environment: 'environment',
  productionSecret: 'production_secret',
  reason: 'reason',
  rotateKind: 'rotate_kind',
  rotateSecret: 'rotate_secret',
} as const;
export const FIELD_ACTION_ID = 'value';

const BUTTON_VALUE = /^([a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?)(?:\/(pr-[0-9]{1,6}))?$/;

/** A button's value: `acme`, or `acme/pr-2` for a decision on production request pr-2. */
export function buttonValue(setupId: string, requestId?: string): string {
  return requestId ? `${setupId}/${requestId}` : setupId;
}

/** The setup (and request) a button names; undefined for anything the bot did not make. */
export function parseButtonValue(value: string | undefined): { setupId: string; requestId?: string } | undefined {
  const match = BUTTON_VALUE.exec(value ?? '');
  if (!match) return undefined;
  return { setupId: match[1] as string, ...(match[2] ? { requestId: match[2] } : {}) };
}

/** What a modal carries in private_metadata: which setup, where the click came from, and the request a rejection is about. */
export const ViewMetadataSchema = z.object({
  setupId: z.string().min(1).max(64),
  channel: z.string().max(32).optional(),
  requestId: RequestIdSchema.optional(),
});
export type ViewMetadata = z.infer<typeof ViewMetadataSchema>;
