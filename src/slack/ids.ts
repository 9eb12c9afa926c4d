/**
 * The identifiers the bot's Slack surfaces share with its handlers: button action ids,
 * modal callback ids, modal input block/action ids, and what rides in button values and
 * private_metadata (never a secret: Slack echoes both back in every payload).
 */
import { z } from 'zod';
import type { AuditFormat } from '../audit/export';
import { REQUEST_ID_PATTERN } from '../shared/schemas';
import { ACTION_NAMES, declarationOf, type ActionForm, type ActionName, type FormOf } from '../shared/actions';

export const SLASH_COMMAND = '/plaid-setup';

/** `openSettings` -> `open_settings`, at run time and in the type. */
type Snake<S extends string> = S extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}` : '';
const snake = <S extends string>(s: S) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as Snake<S>;

/** An action's button is named for the action, or for the form it opens (`openCredentials`). */
type ButtonKey<N extends ActionName> = [FormOf<N>] extends [never] ? N : `open${Capitalize<FormOf<N>>}`;
type ButtonKeys = { [N in ActionName]: ButtonKey<N> }[ActionName];

function buttonKey(action: ActionName): ButtonKeys {
  const form = declarationOf(action).form;
  return (form ? `open${form[0]!.toUpperCase()}${form.slice(1)}` : action) as ButtonKeys;
}

/**
 * Buttons, one per action, derived from shared/actions.ts. Each button's `value` is
 * `buttonValue(...)`: the setup id, and for decisions the request id.
 */
export const BUTTONS = Object.fromEntries(ACTION_NAMES.map((a) => [buttonKey(a), `plaid_setup.${snake(buttonKey(a))}`])) as {
  readonly [K in ButtonKeys]: `plaid_setup.${Snake<K>}`;
};
export type ButtonId = (typeof BUTTONS)[ButtonKeys];

/** The button that leads to each action. */
export const ACTION_BUTTONS = Object.fromEntries(ACTION_NAMES.map((a) => [a, BUTTONS[buttonKey(a)]])) as Readonly<Record<ActionName, ButtonId>>;

/** Which checklist action each button leads to (directly, or through its modal). */
export const BUTTON_ACTIONS = Object.fromEntries(ACTION_NAMES.map((a) => [ACTION_BUTTONS[a], a])) as Readonly<Record<ButtonId, ActionName>>;

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

const FORMS: readonly ActionForm[] = [...new Set(ACTION_NAMES.flatMap((a) => declarationOf(a).form ?? []))];

/** Modal callback ids, one per form an action opens. */
export const VIEWS = Object.fromEntries(FORMS.map((f) => [f, `plaid_setup.${snake(f)}`])) as { readonly [F in ActionForm]: `plaid_setup.${Snake<F>}` };
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
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
});
export type ViewMetadata = z.infer<typeof ViewMetadataSchema>;
