/**
 * Values that cross a boundary (CLI, Slack, workflow updates, activities) and the schemas
 * that parse them. Imported by workflow code too, so nothing here may touch I/O.
 *
 * valibot, not zod: these schemas run inside the workflow sandbox, which evaluates its
 * modules once per open workflow. zod's import cost about 1.1 MB of worker memory per open
 * setup there (bench/worker-memory.bench.ts); valibot's schemas are plain objects and cost
 * next to nothing. The rest of the code base parses its own inputs with zod.
 */
import * as v from 'valibot';

export const STEP_IDS = [
  'application',
  'sandbox_credentials',
  'settings',
  'sandbox_test',
  'codat_portal',
  'production_request',
  'production_approval',
  'production_secret',
  'enablement',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const STEP_TITLES: Record<StepId, string> = {
  application: 'Plaid application (allowed redirect URI)',
  sandbox_credentials: 'Sandbox credentials',
  settings: 'Settings',
  sandbox_test: 'Sandbox test',
  codat_portal: 'Codat Portal',
  production_request: 'Production request',
  production_approval: 'Production approval',
  production_secret: 'Production secret',
  enablement: 'Enablement',
};

export const STEP_STATUSES = ['waiting', 'in_progress', 'done', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const REDIRECT_URI = 'https://plaid.codat.io/oauth/callback';

export const COUNTRY_CODES = ['US', 'CA', 'ES', 'FR', 'GB', 'IE', 'NL'] as const;
export type CountryCode = (typeof COUNTRY_CODES)[number];

export const ENVIRONMENTS = ['sandbox', 'production'] as const;
export type PlaidEnvironment = (typeof ENVIRONMENTS)[number];

/** Plaid's defaults when a setup leaves its country codes empty (design.md, step 3). */
export const DEFAULT_COUNTRIES: Record<PlaidEnvironment, readonly CountryCode[]> = {
  sandbox: COUNTRY_CODES,
  production: ['US', 'CA'],
};

export const SYNC_MODES = ['continuous', 'one-off'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const ROLES = ['operator', 'approver', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The configuration variable that lists who holds each role. */
export const ROLE_VARIABLES: Record<Role, string> = {
  operator: 'PLAID_SETUP_OPERATORS',
  approver: 'PLAID_SETUP_APPROVERS',
  auditor: 'PLAID_SETUP_AUDITORS',
};

/**
 * Who may read audit records and decoded histories (Slack history, codec tokens, the codec
 * endpoint). Operator is a workspace-wide role, so every operator reads every setup.
 */
export const HISTORY_READERS: readonly Role[] = ['auditor', 'operator'];

export const SECRET_KINDS = ['sandbox', 'development', 'production'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** A setup's name as people type it, and the slug every id is derived from. */
export const SETUP_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** An actor id is at most this long (Slack ids are 11; login names far shorter). */
export const ACTOR_ID_MAX = 128;

/**
 * Who acts. Roles are not part of it: the worker decides them from its own configuration
 * and the signed assertion that travels with every action (domain/assertion.ts).
 */
export const ActorSchema = v.object({
  id: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, 'an actor id is required'),
    v.maxLength(ACTOR_ID_MAX, `an actor id is at most ${ACTOR_ID_MAX} characters`),
  ),
  displayName: v.pipe(v.string(), v.trim(), v.minLength(1, 'a display name is required'), v.maxLength(200, 'a display name is at most 200 characters')),
  source: v.picklist(['slack', 'cli'], 'the source is slack or cli'),
});
export type Actor = v.InferOutput<typeof ActorSchema>;

/**
 * Bounds of a setup's timers (reminders, approval expiry) in a start input: no zero,
 * negative or runaway timer reaches a workflow. Configuration is stricter (src/config.ts).
 */
export const TIMER_BOUNDS_MS = { min: 1000, max: 90 * 86_400_000 } as const;

const timer = v.pipe(
  v.number(),
  v.integer('a timer is a whole number of milliseconds'),
  v.minValue(TIMER_BOUNDS_MS.min, 'a timer is at least 1 second'),
  v.maxValue(TIMER_BOUNDS_MS.max, 'a timer is at most 90 days'),
);

/** The most distinct approvers a production request can need. */
export const APPROVALS_MAX = 5;

export const SetupOptionsSchema = v.object({
  reminderAfterMs: timer,
  approvalTimeoutMs: timer,
  escalateAfterMs: v.optional(timer),
  codatWrite: v.optional(v.boolean()),
  approvalsRequired: v.optional(
    v.pipe(v.number(), v.integer('approvals required is a whole number'), v.minValue(1, 'at least 1 approval is required'), v.maxValue(APPROVALS_MAX, `at most ${APPROVALS_MAX} approvals can be required`)),
  ),
});

/** The production request a decision is about: `pr-1`, `pr-2`, … */
export const REQUEST_ID_PATTERN = /^pr-[0-9]{1,6}$/;
export const RequestIdSchema = v.pipe(v.string(), v.regex(REQUEST_ID_PATTERN, 'a production request id looks like pr-3'));

export const ClientIdSchema = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[0-9a-f]{24}$/, 'a Plaid client_id is 24 hexadecimal characters (Plaid Dashboard > Team Settings > Keys)'),
);

/** Plaid secrets are 30 lowercase hexadecimal characters. The message never repeats the value. */
export const SecretValueSchema = v.pipe(
  v.string('a Plaid secret is text'),
  v.regex(/^[0-9a-f]{30}$/, 'a Plaid secret is 30 hexadecimal characters (Plaid Dashboard > Team Settings > Keys)'),
  v.brand('PlaidSecret'),
);
export type SecretValue = v.InferOutput<typeof SecretValueSchema>;

export const SecretRefSchema = v.object({
  ref: v.pipe(v.string(), v.regex(/^vault:[a-z0-9-]+\/(sandbox|development|production)\/v[0-9]+$/, 'not a vault reference')),
  fingerprint: v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{12}$/, 'not a secret fingerprint')),
});
export type SecretRef = v.InferOutput<typeof SecretRefSchema>;

const retiredEnvironment =
  'the development environment was retired by Plaid in June 2024; choose sandbox or production';

export const EnvironmentSchema = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }): PlaidEnvironment => {
    const normalised = dataset.value.trim().toLowerCase();
    if (normalised === 'development') {
      addIssue({ message: retiredEnvironment });
      return NEVER;
    }
    if (!(ENVIRONMENTS as readonly string[]).includes(normalised)) {
      addIssue({ message: `"${dataset.value}" is not an environment; choose sandbox or production` });
      return NEVER;
    }
    return normalised as PlaidEnvironment;
  }),
);

export const CountryCodesSchema = v.pipe(
  v.array(v.string()),
  v.rawTransform(({ dataset, addIssue, NEVER }): CountryCode[] => {
    const codes = dataset.value.map((c) => c.trim().toUpperCase()).filter((c) => c.length > 0);
    const unknown = codes.filter((c) => !(COUNTRY_CODES as readonly string[]).includes(c));
    if (unknown.length > 0) {
      addIssue({
        message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not supported; use any of ${COUNTRY_CODES.join(', ')}`,
      });
      return NEVER;
    }
    // Keep the canonical order so two equal selections compare equal.
    return COUNTRY_CODES.filter((c) => codes.includes(c));
  }),
);

export const LinkCustomizationSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'a Link customization name is not empty'),
  v.maxLength(100, 'a Link customization name is at most 100 characters'),
  v.regex(/^[A-Za-z0-9_\- ]+$/, 'a Link customization name has letters, digits, spaces, "-" and "_" only'),
);

export const SettingsEntries = {
  environment: v.optional(EnvironmentSchema, 'sandbox'),
  countryCodes: v.optional(CountryCodesSchema, () => []),
  syncMode: v.picklist(SYNC_MODES, 'sync mode is continuous or one-off'),
  linkCustomizationName: v.optional(LinkCustomizationSchema),
};
export const SettingsInputSchema = v.object(SettingsEntries);
export type SettingsInput = v.InferInput<typeof SettingsInputSchema>;
export type Settings = v.InferOutput<typeof SettingsInputSchema>;

/** A schema of this module (or one built from them). */
export type Schema = v.GenericSchema;

/** An issue as describeIssues reads it. */
interface Issue {
  message: string;
  path?: ReadonlyArray<{ key: unknown }>;
}

/**
 * The words for an issue its schema gives none for. valibot's own messages quote what was
 * received, and a value typed into the wrong field may be a secret, so these never do.
 */
function plainMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema') return issue.input === undefined ? 'is required' : `expected ${issue.expected ?? 'another value'}`;
  return `is not valid (${issue.type.replace(/_/g, ' ')}${issue.expected ? ` ${issue.expected}` : ''})`;
}

const PARSE_CONFIG = { message: plainMessage } as const;

/** Turns issues into one sentence a person can act on. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      const keys = (issue.path ?? []).map((p) => String(p.key));
      const path = keys.filter((k) => k !== 'actor' || keys.length === 1).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses `raw` with `schema`: the value, or the issues in one sentence (which never quotes the input). */
export function check<S extends Schema>(schema: S, raw: unknown): Checked<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, raw, PARSE_CONFIG);
  return parsed.success ? { ok: true, value: parsed.output } : { ok: false, message: describeIssues(parsed.issues) };
}

/** Durations as people write them in configuration: 90s, 15m, 24h, 7d. */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const value = Number(match[1]) * unit;
  return value > 0 ? value : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
