/**
 * Modal submissions, parsed: Slack's `view.state.values` in, a typed result or field errors
 * out. Errors are keyed by block id, ready for `response_action: 'errors'`; each says what
 * to fix and never repeats what was typed (a mistyped secret is still a secret).
 */
import * as v from 'valibot';
import { ClientIdSchema, SecretValueSchema, SettingsEntries, type Checked, type Schema, type Settings, type SecretValue } from '../../shared/schemas';
import { FIELD_ACTION_ID, FIELDS, ViewMetadataSchema, type ViewMetadata } from '../ids';
import type { SetupView } from './summary';
import { ActionArgSchemas } from '../../shared/actions';

/** One input's state as Slack reports it (Bolt's ViewStateValue fits). */
export interface SubmittedInput {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }> | null;
}

/** `view.state.values`: block id → action id → input state. */
export type SubmittedValues = Record<string, Record<string, SubmittedInput>>;

/** Field errors keyed by block id. */
export type FieldErrors = Record<string, string>;

export type Submission<T> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };

export type CredentialsSubmission = Submission<{ clientId: string; sandboxSecret: SecretValue; developmentSecret?: SecretValue }>;
export type SettingsSubmission = Submission<Settings>;
export type ProductionSecretSubmission = Submission<{ secret: SecretValue }>;
export type RejectSubmission = Submission<{ reason: string }>;
export type RotateSubmission = Submission<{ kind: 'sandbox' | 'production'; secret: SecretValue }>;

const input = (values: SubmittedValues, blockId: string): SubmittedInput | undefined => values[blockId]?.[FIELD_ACTION_ID];

/** A text input's value, trimmed; undefined when empty. */
function text(values: SubmittedValues, blockId: string): string | undefined {
  const value = input(values, blockId)?.value?.trim();
  return value ? value : undefined;
}

const selected = (values: SubmittedValues, blockId: string): string | undefined =>
  input(values, blockId)?.selected_option?.value ?? undefined;

const selectedMany = (values: SubmittedValues, blockId: string): string[] =>
  (input(values, blockId)?.selected_options ?? []).map((o) => o.value);

function sentence(message: string): string {
  const trimmed = message.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The message, unless it would repeat any submitted value: then the field's own fix. */
function withoutValue(message: string, raw: unknown, fix: string): string {
  const typed = (Array.isArray(raw) ? raw : [raw])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v.length > 0);
  return typed.some((v) => message.toLowerCase().includes(v)) ? fix : message;
}

/**
 * Parses one field with a shared schema. The schema's own messages win (they say what
 * to fix); generic ones are replaced by `fix`.
 */
function check<S extends Schema>(schema: S, raw: unknown, fix: string): Checked<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, raw, { message: fix });
  if (parsed.success) return { ok: true, value: parsed.output };
  return { ok: false, message: withoutValue(sentence(parsed.issues[0]?.message ?? fix), raw, sentence(fix)) };
}

/** The parsed value, or undefined with the field's error recorded. */
function take<T>(checked: Checked<T>, blockId: string, errors: FieldErrors): T | undefined {
  if (checked.ok) return checked.value;
  errors[blockId] = checked.message;
  return undefined;
}

function finish<T extends object>(errors: FieldErrors, value: () => T): Submission<T> {
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, ...value() };
}

const KEYS = 'Plaid Dashboard > Team Settings > Keys';
const SECRET_FIX = `Paste the secret again: a Plaid secret is 30 lowercase hexadecimal characters (${KEYS}).`;

/** A secret field: trimmed (pasting often brings a newline), then the shared schema. */
function secret(values: SubmittedValues, blockId: string, errors: FieldErrors, missing: string): SecretValue | undefined {
  const raw = text(values, blockId);
  if (raw === undefined) {
    errors[blockId] = missing;
    return undefined;
  }
  return take(check(SecretValueSchema, raw, SECRET_FIX), blockId, errors);
}

export function parseCredentials(values: SubmittedValues): CredentialsSubmission {
  const errors: FieldErrors = {};
  const clientIdFix = `Enter the client_id: 24 hexadecimal characters (${KEYS}).`;
  const rawClientId = text(values, FIELDS.clientId);
  const clientId = take(check(ClientIdSchema, rawClientId, clientIdFix), FIELDS.clientId, errors);
  const sandboxSecret = secret(values, FIELDS.sandboxSecret, errors, `Enter the Sandbox secret (${KEYS}).`);
  let developmentSecret: SecretValue | undefined;
  if (text(values, FIELDS.developmentSecret) !== undefined) {
    developmentSecret = secret(values, FIELDS.developmentSecret, errors, '');
    if (developmentSecret !== undefined && developmentSecret === sandboxSecret) {
      errors[FIELDS.developmentSecret] = 'This is the Sandbox secret again: enter the Development secret, or leave the field empty.';
    }
  }
  return finish(errors, () => ({
    clientId: clientId as string,
    sandboxSecret: sandboxSecret as SecretValue,
    ...(developmentSecret ? { developmentSecret } : {}),
  }));
}

/**
 * Settings as the updateSettings action takes them. With the setup's view, production is
 * refused until the Production secret step is done (the workflow checks it again).
 */
export function parseSettings(values: SubmittedValues, view?: SetupView): SettingsSubmission {
  const errors: FieldErrors = {};
  const shape = SettingsEntries;
  const environment = take(check(shape.environment, selected(values, FIELDS.environment), 'Choose Sandbox or Production.'), FIELDS.environment, errors);
  if (environment === 'production' && view && view.steps.find((s) => s.id === 'production_secret')?.status !== 'done') {
    errors[FIELDS.environment] = 'Production needs an approved request and a verified Production secret first; choose Sandbox for now.';
  }
  const countryCodes = take(
    check(shape.countryCodes, selectedMany(values, FIELDS.countryCodes), "Tick only the listed countries, or none for Plaid's default."),
    FIELDS.countryCodes,
    errors,
  );
  const syncMode = take(check(shape.syncMode, selected(values, FIELDS.syncMode), 'Choose continuous or one-off sync.'), FIELDS.syncMode, errors);
  const linkCustomizationName = take(
    check(
      shape.linkCustomizationName,
      text(values, FIELDS.linkCustomization),
      'Use the Link customization name as the Plaid Dashboard shows it: up to 100 letters, digits, spaces, "-" or "_"; or leave it empty.',
    ),
    FIELDS.linkCustomization,
    errors,
  );
  return finish(errors, () => ({
    environment: environment as Settings['environment'],
    countryCodes: countryCodes as Settings['countryCodes'],
    syncMode: syncMode as Settings['syncMode'],
    ...(linkCustomizationName ? { linkCustomizationName } : {}),
  }));
}

export function parseProductionSecret(values: SubmittedValues): ProductionSecretSubmission {
  const errors: FieldErrors = {};
  const secretValue = secret(values, FIELDS.productionSecret, errors, `Enter the Production secret (${KEYS}).`);
  return finish(errors, () => ({ secret: secretValue as SecretValue }));
}

export function parseReject(values: SubmittedValues): RejectSubmission {
  const errors: FieldErrors = {};
  const reason = take(
    check(
      ActionArgSchemas.rejectProduction.entries.reason,
      text(values, FIELDS.reason) ?? '',
      'Give a reason of 3 to 1000 characters, so the requester knows what to fix.',
    ),
    FIELDS.reason,
    errors,
  );
  return finish(errors, () => ({ reason: reason as string }));
}

export function parseRotate(values: SubmittedValues): RotateSubmission {
  const errors: FieldErrors = {};
  const kind = take(
    check(ActionArgSchemas.rotateSecret.entries.kind, selected(values, FIELDS.rotateKind), 'Choose which secret to rotate: Sandbox or Production.'),
    FIELDS.rotateKind,
    errors,
  );
  const secretValue = secret(values, FIELDS.rotateSecret, errors, `Enter the new secret (${KEYS}).`);
  return finish(errors, () => ({ kind: kind as 'sandbox' | 'production', secret: secretValue as SecretValue }));
}

/** The rotation's kind alone (with one-time links, the secret is typed elsewhere). */
export function parseRotateKind(values: SubmittedValues): Submission<{ kind: 'sandbox' | 'production' }> {
  const errors: FieldErrors = {};
  const kind = take(
    check(ActionArgSchemas.rotateSecret.entries.kind, selected(values, FIELDS.rotateKind), 'Choose which secret to rotate: Sandbox or Production.'),
    FIELDS.rotateKind,
    errors,
  );
  return finish(errors, () => ({ kind: kind as 'sandbox' | 'production' }));
}

/** The modal's private_metadata (setupId and channel; anything else is dropped), or undefined if it is not ours. */
export function parseViewMetadata(privateMetadata: string): ViewMetadata | undefined {
  if (privateMetadata.length === 0 || privateMetadata.length > 3000) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(privateMetadata);
  } catch {
    return undefined;
  }
  const parsed = ViewMetadataSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
