/**
 * Values that cross a boundary (CLI, Slack, workflow updates, activities) and the zod
 * schemas that parse them. Imported by workflow code too, so nothing here may touch I/O.
 */
import { z } from 'zod';

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
export const ActorSchema = z.object({
  id: z.string().trim().min(1, 'an actor id is required').max(ACTOR_ID_MAX, `an actor id is at most ${ACTOR_ID_MAX} characters`),
  displayName: z.string().trim().min(1).max(200),
  source: z.enum(['slack', 'cli']),
});
export type Actor = z.infer<typeof ActorSchema>;

/**
 * Bounds of a setup's timers (reminders, approval expiry) in a start input: no zero,
 * negative or runaway timer reaches a workflow. Configuration is stricter (src/config.ts).
 */
export const TIMER_BOUNDS_MS = { min: 1000, max: 90 * 86_400_000 } as const;

const timer = z
  .number()
  .int()
  .min(TIMER_BOUNDS_MS.min, 'a timer is at least 1 second')
  .max(TIMER_BOUNDS_MS.max, 'a timer is at most 90 days');

export const SetupOptionsSchema = z.object({ reminderAfterMs: timer, approvalTimeoutMs: timer });

/** The production request a decision is about: `pr-1`, `pr-2`, … */
export const RequestIdSchema = z.string().regex(/^pr-[0-9]{1,6}$/, 'a production request id looks like pr-3');

export const ClientIdSchema = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{24}$/, 'a Plaid client_id is 24 hexadecimal characters (Plaid Dashboard > Team Settings > Keys)');

/** Plaid secrets are 30 lowercase hexadecimal characters. The message never repeats the value. */
export const SecretValueSchema = z
  .string()
  .regex(/^[0-9a-f]{30}$/, {
    message: 'a Plaid secret is 30 hexadecimal characters (Plaid Dashboard > Team Settings > Keys)',
    abort: true,
  })
  .brand<'PlaidSecret'>();
export type SecretValue = z.infer<typeof SecretValueSchema>;

export const SecretRefSchema = z.object({
  ref: z.string().regex(/^vault:[a-z0-9-]+\/(sandbox|development|production)\/v[0-9]+$/, 'not a vault reference'),
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{12}$/, 'not a secret fingerprint'),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

const retiredEnvironment =
  'the development environment was retired by Plaid in June 2024; choose sandbox or production';

export const EnvironmentSchema = z.string().transform((value, ctx): PlaidEnvironment => {
  const normalised = value.trim().toLowerCase();
  if (normalised === 'development') {
    ctx.addIssue({ code: 'custom', message: retiredEnvironment });
    return z.NEVER;
  }
  if (!(ENVIRONMENTS as readonly string[]).includes(normalised)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an environment; choose sandbox or production` });
    return z.NEVER;
  }
  return normalised as PlaidEnvironment;
});

export const CountryCodesSchema = z.array(z.string()).transform((values, ctx): CountryCode[] => {
  const codes = values.map((v) => v.trim().toUpperCase()).filter((v) => v.length > 0);
  const unknown = codes.filter((c) => !(COUNTRY_CODES as readonly string[]).includes(c));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not supported; use any of ${COUNTRY_CODES.join(', ')}`,
    });
    return z.NEVER;
  }
  // Keep the canonical order so two equal selections compare equal.
  return COUNTRY_CODES.filter((c) => codes.includes(c));
});

export const LinkCustomizationSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_\- ]+$/, 'a Link customization name has letters, digits, spaces, "-" and "_" only');

export const SettingsInputSchema = z.object({
  environment: EnvironmentSchema.default('sandbox'),
  countryCodes: CountryCodesSchema.default([]),
  syncMode: z.enum(SYNC_MODES, { message: 'sync mode is continuous or one-off' }),
  linkCustomizationName: LinkCustomizationSchema.optional(),
});
export type SettingsInput = z.input<typeof SettingsInputSchema>;
export type Settings = z.output<typeof SettingsInputSchema>;

/** Turns zod issues into one sentence a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.filter((p) => p !== 'actor' || issue.path.length === 1).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
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
