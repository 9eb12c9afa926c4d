/**
 * The modals behind the buttons that need input. Input blocks use the FIELDS block ids
 * with action id FIELD_ACTION_ID; private_metadata holds only the setup id and channel.
 * Secret fields are never prefilled: Slack has no masked input, so what is typed goes
 * straight to the vault and Slack only ever shows its fingerprint.
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextInput, PlainTextOption } from '@slack/types';
import { COUNTRY_CODES, DEFAULT_COUNTRIES, SYNC_MODES, type SyncMode } from '../../shared/schemas';
import { FIELD_ACTION_ID, FIELDS, VIEWS, ViewMetadataSchema, type ViewId, type ViewMetadata } from '../ids';
import { describeSubject } from '../../domain/production';
import type { SetupView } from './summary';
import { LIMITS, PLAID_KEYS, byAt, code, context, escapeMrkdwn, plain, quote, section } from './text';

export const SECRET_HINT =
  'Goes straight to the encrypted vault and is never shown again: Slack and the checklist only ever show its fingerprint (sha256:…).';

const COUNTRY_NAMES: Record<(typeof COUNTRY_CODES)[number], string> = {
  US: 'United States',
  CA: 'Canada',
  ES: 'Spain',
  FR: 'France',
  GB: 'United Kingdom',
  IE: 'Ireland',
  NL: 'Netherlands',
};

const SYNC_OPTIONS: Record<SyncMode, { text: string; description: string }> = {
  continuous: { text: 'Continuous sync', description: 'Plaid keeps the bank data up to date' },
  'one-off': { text: 'One-off sync', description: 'One read when the company authorizes' },
};

function option(value: string, text: string, description?: string): PlainTextOption {
  return {
    value,
    text: plain(text, LIMITS.optionText),
    ...(description ? { description: plain(description, LIMITS.optionDescription) } : {}),
  };
}

function modal(callbackId: ViewId, meta: ViewMetadata, title: string, submit: string, blocks: KnownBlock[]): ModalView {
  // Parsing drops anything but setupId/channel, so nothing else can ride in the metadata.
  const metadata = ViewMetadataSchema.parse(meta);
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(title, LIMITS.modalTitle),
    submit: plain(submit, LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    blocks,
  };
}

function input(blockId: string, label: string, element: InputBlock['element'], extra: { hint?: string; optional?: boolean } = {}): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, LIMITS.inputLabel),
    element,
    ...(extra.hint ? { hint: plain(extra.hint, LIMITS.inputHint) } : {}),
    ...(extra.optional ? { optional: true } : {}),
  };
}

function textInput(placeholder: string, extra: Partial<Pick<PlainTextInput, 'initial_value' | 'multiline' | 'max_length'>> = {}): PlainTextInput {
  return { type: 'plain_text_input', action_id: FIELD_ACTION_ID, placeholder: plain(placeholder, LIMITS.placeholder), ...extra };
}

/** A secret field: no initial value, ever. */
function secretInput(blockId: string, label: string, hint: string, optional = false): InputBlock {
  return input(blockId, label, textInput('30 hexadecimal characters', { max_length: 200 }), { hint, optional });
}

const setupName = (meta: ViewMetadata, view?: SetupView) => escapeMrkdwn(view?.name ?? meta.setupId);

export function credentialsModal(meta: ViewMetadata, view?: SetupView): ModalView {
  const d = view?.data;
  const dev = d?.developmentSecret ? `, Development secret ${code(d.developmentSecret.fingerprint)}` : '';
  const current = d?.clientId
    ? [
        `Now: client_id ${code(d.clientId)}, Sandbox secret ${code(d.sandboxSecret?.fingerprint ?? 'none')}${dev}. ` +
          'Saving re-opens the Sandbox test and the Codat Portal step (and the Production secret if the client_id changes).',
      ]
    : [];
  return modal(VIEWS.credentials, meta, 'Plaid credentials', 'Save', [
    section(`Setup *${setupName(meta, view)}*: copy these from ${PLAID_KEYS}.`),
    ...(current.length > 0 ? [context(current)] : []),
    input(FIELDS.clientId, 'client_id', textInput('24 hexadecimal characters', { max_length: 200, ...(d?.clientId ? { initial_value: d.clientId } : {}) }), {
      hint: 'Your Plaid client_id (not a secret). The same client_id serves Sandbox and Production.',
    }),
    secretInput(FIELDS.sandboxSecret, 'Sandbox secret', SECRET_HINT),
    secretInput(
      FIELDS.developmentSecret,
      'Development secret (optional, legacy)',
      `Plaid retired the Development environment in June 2024: leave this empty unless you still have one to record. ${SECRET_HINT}`,
      true,
    ),
  ]);
}

export function settingsModal(meta: ViewMetadata, view: SetupView): ModalView {
  const d = view.data;
  const productionReady = view.steps.find((s) => s.id === 'production_secret')?.status === 'done';
  const environments = [option('sandbox', 'Sandbox')];
  if (productionReady) environments.push(option('production', 'Production'));
  const currentEnvironment = environments.find((o) => o.value === d.environment);
  const countryOptions = COUNTRY_CODES.map((c) => option(c, `${c} · ${COUNTRY_NAMES[c]}`));
  const chosen = countryOptions.filter((o) => (d.requestedCountryCodes as readonly string[]).includes(o.value ?? ''));
  const syncOptions = SYNC_MODES.map((m) => option(m, SYNC_OPTIONS[m].text, SYNC_OPTIONS[m].description));
  const currentSync = syncOptions.find((o) => o.value === (d.syncMode ?? 'continuous'));
  return modal(VIEWS.settings, meta, 'Plaid settings', 'Save', [
    section(`Settings for *${setupName(meta, view)}*. Saving re-opens the Sandbox test and the Codat Portal step.`),
    input(
      FIELDS.environment,
      'Environment',
      { type: 'static_select', action_id: FIELD_ACTION_ID, options: environments, ...(currentEnvironment ? { initial_option: currentEnvironment } : {}) },
      {
        hint: productionReady
          ? 'Production uses the verified Production secret.'
          : 'Production becomes available once the Production secret is verified and confirmed in the Codat Portal.',
      },
    ),
    input(
      FIELDS.countryCodes,
      'Country codes',
      { type: 'checkboxes', action_id: FIELD_ACTION_ID, options: countryOptions, ...(chosen.length > 0 ? { initial_options: chosen } : {}) },
      {
        optional: true,
        hint: `Leave all unticked for Plaid's default: all seven in Sandbox, ${DEFAULT_COUNTRIES.production.join(' and ')} in Production.`,
      },
    ),
    input(FIELDS.syncMode, 'Data access', {
      type: 'radio_buttons',
      action_id: FIELD_ACTION_ID,
      options: syncOptions,
      ...(currentSync ? { initial_option: currentSync } : {}),
    }),
    input(
      FIELDS.linkCustomization,
      'Link customization name',
      textInput('e.g. codat_default', { max_length: 100, ...(d.linkCustomizationName ? { initial_value: d.linkCustomizationName } : {}) }),
      { optional: true, hint: "The name of a Link customization saved in the Plaid Dashboard; leave empty for Plaid's default Link." },
    ),
  ]);
}

export function productionSecretModal(meta: ViewMetadata, view: SetupView): ModalView {
  const d = view.data;
  const lines = [
    `Setup *${setupName(meta, view)}*${d.clientId ? `, client_id ${code(d.clientId)}` : ''}: the Production secret from ${PLAID_KEYS}.`,
    'Plaid Production checks it before it replaces anything.',
  ];
  if (d.productionSecret) lines.push(`Now in force: ${code(d.productionSecret.fingerprint)}.`);
  return modal(VIEWS.productionSecret, meta, 'Production secret', 'Verify', [
    section(lines.join('\n')),
    secretInput(FIELDS.productionSecret, 'Production secret', SECRET_HINT),
  ]);
}

export function rejectModal(meta: ViewMetadata, view: SetupView): ModalView {
  const p = view.production?.id === meta.requestId ? view.production : undefined;
  const lines = [`Reject production request ${code(meta.requestId ?? '(none)')} for *${setupName(meta, view)}*${p ? ` by ${byAt(p.requestedBy, p.requestedAt)}` : ''}?`];
  if (p) lines.push(`It asks to approve: ${escapeMrkdwn(describeSubject(p.subject))}.`);
  if (p?.note) lines.push(quote(p.note));
  return modal(VIEWS.reject, meta, 'Reject production', 'Reject', [
    section(lines.join('\n')),
    input(FIELDS.reason, 'Reason', textInput('What must change before production?', { multiline: true, max_length: 1000 }), {
      hint: 'Required (at least 3 characters). The requester sees it on the checklist and can request again once it is fixed.',
    }),
  ]);
}

function rotateBlocks(meta: ViewMetadata, view: SetupView): KnownBlock[] {
  const d = view.data;
  const kinds = [option('sandbox', 'Sandbox secret', d.sandboxSecret ? `Now ${d.sandboxSecret.fingerprint}` : undefined)];
  if (d.productionSecret) kinds.push(option('production', 'Production secret', `Now ${d.productionSecret.fingerprint}`));
  return [
    section(
      `Rotate a secret of *${setupName(meta, view)}*. Create the new secret in ${PLAID_KEYS} first; Plaid checks it before it replaces the current one, which stays in force if the check fails.`,
    ),
    input(FIELDS.rotateKind, 'Which secret', { type: 'radio_buttons', action_id: FIELD_ACTION_ID, options: kinds }),
  ];
}

export function rotateModal(meta: ViewMetadata, view: SetupView): ModalView {
  return modal(VIEWS.rotate, meta, 'Rotate a secret', 'Rotate', [...rotateBlocks(meta, view), secretInput(FIELDS.rotateSecret, 'New secret', SECRET_HINT)]);
}

/** With one-time links: which secret only; the new one is typed into the link's form, off Slack. */
export function rotateKindModal(meta: ViewMetadata, view: SetupView): ModalView {
  return modal(VIEWS.rotate, meta, 'Rotate a secret', 'Get the link', [
    ...rotateBlocks(meta, view),
    context(['Next: a one-time link, only for you, to a form where you enter the new secret. It does not pass through Slack.']),
  ]);
}
