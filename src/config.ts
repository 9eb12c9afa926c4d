/**
 * The one place that reads the environment. Every variable is parsed with zod; a bad
 * value stops start-up with a message that names the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, PlaidSetupError } from './errors';
import { GROUP_ID, rolesUnder } from './domain/access';
import { DEFAULT_TASK_QUEUE } from './shared/messages';
import { APPROVALS_MAX, ROLE_VARIABLES, formatDuration, parseDuration, type Role } from './shared/schemas';
import type { SetupOptions } from './domain/state';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );

/**
 * Setups the worker keeps in memory between their tasks. A setup waits days for people, so
 * most are idle: an evicted one replays its short history on its next task (milliseconds),
 * while each cached one holds about 400 KB (bench/worker-memory.bench.ts). 500 keeps a
 * worker near 500 MB however many setups are open; raise it for many setups active at once.
 */
export const DEFAULT_WORKFLOW_CACHE_SIZE = 500;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A duration within [min, max]: a typo such as 24s for 24h, or a unit too many, stops start-up instead of misbehaving. */
const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ms = parseDuration(v && v.trim() !== '' ? v : fallback);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'use a number and a unit, e.g. 90s, 15m, 24h or 7d' });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be from ${formatDuration(min)} to ${formatDuration(max)}` });
        return z.NEVER;
      }
      return ms;
    });

/** An optional value that must match `pattern` when set; the message never repeats the value. */
const optionalMatching = (pattern: RegExp, message: string) =>
  z
    .string()
    .trim()
    .regex(pattern, message)
    .optional()
    .transform((v) => v || undefined);

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional();

const base64Key = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes in base64 (generate one with `openssl rand -base64 32`)' });
      return z.NEVER;
    }
    return bytes;
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PLAID_SETUP_DATA_DIR: z.string().trim().min(1).default('./.data'),
  // Never echoed back: it carries the database password.
  PLAID_SETUP_DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || (/^postgres(ql)?:\/\/\S+$/.test(v) && URL.canParse(v)), 'must be a PostgreSQL URL such as postgres://user:password@host:5432/plaid_setup'),
  PLAID_SETUP_MASTER_KEY: base64Key,
  PLAID_SETUP_PREVIOUS_MASTER_KEY: base64Key,
  PLAID_SETUP_ASSERTION_KEY: base64Key,
  PLAID_SETUP_PREVIOUS_ASSERTION_KEY: base64Key,
  PLAID_SETUP_OPEN_ROLES: flag,
  PLAID_SETUP_PAYLOAD_KEY: base64Key,
  PLAID_SETUP_PREVIOUS_PAYLOAD_KEY: base64Key,
  PLAID_SETUP_CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  PLAID_SETUP_CODEC_ORIGINS: list,
  PLAID_SETUP_OPERATORS: list,
  PLAID_SETUP_APPROVERS: list,
  PLAID_SETUP_AUDITORS: list,
  PLAID_SETUP_ACTOR: optionalText,
  // Under a minute, reminders and expiry would fire while people are still reading; past
  // 90 days a reminder helps nobody and an approval would be given on a stale request.
  PLAID_SETUP_REMINDER_AFTER: duration('24h', MINUTE, 90 * DAY),
  PLAID_SETUP_APPROVAL_TIMEOUT: duration('7d', MINUTE, 90 * DAY),
  // How often the drift watch re-checks every enabled setup's live keys.
  PLAID_SETUP_DRIFT_INTERVAL: duration('24h', MINUTE, 30 * DAY),
  PLAID_SETUP_ESCALATION_APPROVERS: list,
  PLAID_SETUP_ESCALATE_AFTER: duration('48h', MINUTE, 90 * DAY),
  PLAID_SETUP_APPROVALS_REQUIRED: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(APPROVALS_MAX, `must be at most ${APPROVALS_MAX}`)
    .default(1),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CERT_PATH: optionalText,
  TEMPORAL_TLS_KEY_PATH: optionalText,
  TEMPORAL_TLS_CA_PATH: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_DEV_UI_PORT: port(8233),
  PLAID_SETUP_WORKFLOW_CACHE_SIZE: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(2, 'must be at least 2 (the Temporal SDK needs two)')
    .max(100_000, 'must be at most 100000')
    .default(DEFAULT_WORKFLOW_CACHE_SIZE),
  PLAID_SANDBOX_URL: url,
  PLAID_PRODUCTION_URL: url,
  // Under a second, healthy Plaid calls would time out and be retried forever; a check's
  // activity is given 2 minutes (src/workflows/plaid-setup.ts), so a longer per-request
  // timeout would never fire: Temporal would end the attempt first, without Plaid's answer.
  PLAID_TIMEOUT: duration('30s', 1000, 2 * MINUTE),
  // Never echoed back: Codat's API key reads and changes the company's integrations.
  CODAT_API_KEY: optionalMatching(/^([A-Za-z0-9]{16,128})?$/, 'must be a Codat API key (letters and digits, from Codat Portal > Developers > API keys)'),
  CODAT_API_URL: url,
  // Opt-in: write client_id and secret to Codat's partner credentials endpoint instead of pasting them.
  CODAT_WRITE_CREDENTIALS: flag,
  SLACK_BOT_TOKEN: optionalMatching(/^(xoxb-[A-Za-z0-9-]+)?$/, 'must be a bot token (xoxb-...) from OAuth & Permissions'),
  SLACK_SIGNING_SECRET: optionalMatching(/^([0-9a-f]{32})?$/, 'must be the 32-character Signing Secret from Basic Information > App Credentials'),
  SLACK_APP_TOKEN: optionalMatching(/^(xapp-[A-Za-z0-9-]+)?$/, 'must be an app-level token (xapp-...) with connections:write, for Socket Mode'),
  SLACK_API_URL: url,
  // 0 picks a free port (tests).
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PLAID_SETUP_APPROVALS_CHANNEL: optionalMatching(/^([CG][A-Z0-9]{2,})?$/, 'must be a Slack channel id (C... or G...), not a name'),
  // link: secrets are typed into a one-time form the bot serves; modal: into Slack modals (Slack's servers carry them).
  PLAID_SETUP_SECRET_ENTRY: z.enum(['link', 'modal'], { message: 'must be link (a one-time form off Slack) or modal (Slack modals)' }).default('link'),
  // Where people's browsers reach the bot (for the one-time links): scheme, host and port only.
  PLAID_SETUP_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be the http(s) address browsers reach the bot at, e.g. https://plaid-setup.example.com' })
    .optional()
    .refine((v) => !v || !URL.canParse(v) || (!/[?#@]/.test(v) && new URL(v).pathname === '/'), 'must be an origin: scheme and host (and port), no path, query or user name'),
});

/** What a setup started now is given: its timers and the approvals a production request needs. */
export function setupOptionsFor(config: Pick<Config, 'reminderAfterMs' | 'approvalTimeoutMs' | 'approvalsRequired' | 'escalation' | 'codat'>): SetupOptions {
  return {
    ...(config.codat?.writeCredentials ? { codatWrite: true } : {}),
    reminderAfterMs: config.reminderAfterMs,
    approvalTimeoutMs: config.approvalTimeoutMs,
    ...(config.approvalsRequired > 1 ? { approvalsRequired: config.approvalsRequired } : {}),
    ...(config.escalation ? { escalateAfterMs: config.escalation.afterMs } : {}),
  };
}

/** Every variable the configuration reads (the deploy files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type Env = Record<string, string | undefined>;

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  dataDir: string;
  /** Shared PostgreSQL storage for vault, Item ledger, security log and replay store; absent: SQLite files in dataDir. */
  databaseUrl?: string;
  masterKey?: Buffer;
  previousMasterKey?: Buffer;
  /** Signs actor assertions (bot, CLI) and verifies them (worker); generated in development when unset. */
  assertionKey?: Buffer;
  previousAssertionKey?: Buffer;
  /** Temporal payload encryption; absent when PLAID_SETUP_PAYLOAD_KEY is not set. */
  payloadKeys?: { current: Buffer; previous?: Buffer };
  /** The codec endpoint for the Temporal Web UI and CLI (see src/temporal/codec/server.ts). */
  codec: { port: number; origins: string[] };
  roles: { operator: string[]; approver: string[]; auditor: string[] };
  /**
   * Everyone holds every role: only with no role list, no Slack bot, and the operator's
   * opt-in for local use (PLAID_SETUP_OPEN_ROLES, or `plaid-setup dev --open-roles`).
   */
  rolesOpen: boolean;
  actor?: string;
  reminderAfterMs: number;
  approvalTimeoutMs: number;
  /** Distinct approvers a production request needs, never the requester. */
  approvalsRequired: number;
  /** How often the drift watch checks the live keys of every enabled setup. */
  driftIntervalMs: number;
  /** Told directly when a request is still undecided after `afterMs`; absent without PLAID_SETUP_ESCALATION_APPROVERS. */
  escalation?: { approvers: string[]; afterMs: number };
  temporal: {
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    cliPath?: string;
    devPort: number;
    devUiPort: number;
    /** How many setups the worker keeps cached (PLAID_SETUP_WORKFLOW_CACHE_SIZE). */
    workflowCacheSize: number;
  };
  plaid: { sandboxUrl?: string; productionUrl?: string; timeoutMs: number };
  /** Codat's Platform API, read to confirm the integration's state; absent without CODAT_API_KEY. */
  codat?: { apiKey: string; apiUrl?: string; writeCredentials: boolean };
  slack: SlackConfig;
}

export interface SlackConfig {
  botToken?: string;
  signingSecret?: string;
  /** Socket Mode when set; the HTTP receiver on `port` otherwise. */
  appToken?: string;
  /** The Web API base URL (an emulator in tests); Slack's when unset. */
  apiUrl?: string;
  port: number;
  approvalsChannel?: string;
  /** How secrets are entered: a one-time link to the bot's own form (default), or Slack modals. */
  secretEntry: 'link' | 'modal';
  /** The address browsers reach the bot at, for the links; the bot's own loopback address when unset (development). */
  publicUrl?: string;
}

/** What is missing for the bot to run, in words; empty when it can run. */
export function slackMissing(slack: SlackConfig): string[] {
  return [
    !slack.botToken && 'SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token)',
    !slack.appToken && !slack.signingSecret && 'SLACK_SIGNING_SECRET (Basic Information > App Credentials), or SLACK_APP_TOKEN for Socket Mode',
  ].filter((m): m is string => typeof m === 'string');
}

const ROLE_LISTS = `${ROLE_VARIABLES.operator}, ${ROLE_VARIABLES.approver} and ${ROLE_VARIABLES.auditor}`;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, `Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const noRoleLists = e.PLAID_SETUP_OPERATORS.length + e.PLAID_SETUP_APPROVERS.length + e.PLAID_SETUP_AUDITORS.length === 0;
  // Roles fail closed: a bot that anyone in the workspace can reach never runs without role lists.
  if (noRoleLists && e.SLACK_BOT_TOKEN) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      `Invalid configuration:\n  ${ROLE_LISTS}: the Slack bot is configured (SLACK_BOT_TOKEN), so say who holds each role (comma-separated Slack user ids U… and user-group ids S…).`,
    );
  }
  if (e.PLAID_SETUP_OPEN_ROLES && (e.SLACK_BOT_TOKEN || e.NODE_ENV === 'production')) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      `Invalid configuration:\n  PLAID_SETUP_OPEN_ROLES: open roles are for local use without Slack, not with ${e.SLACK_BOT_TOKEN ? 'SLACK_BOT_TOKEN' : 'NODE_ENV=production'}; set ${ROLE_LISTS} instead.`,
    );
  }
  const rolesOpen = noRoleLists && e.PLAID_SETUP_OPEN_ROLES;
  if (e.NODE_ENV === 'production') {
    const missing = [
      !e.PLAID_SETUP_MASTER_KEY && 'PLAID_SETUP_MASTER_KEY: required in production (32 bytes, base64)',
      !e.PLAID_SETUP_ASSERTION_KEY && 'PLAID_SETUP_ASSERTION_KEY: required in production (32 bytes, base64; the same on the worker, the bot and the CLI)',
      noRoleLists && `${ROLE_LISTS}: required in production (comma-separated user ids)`,
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, `Invalid configuration:\n  ${missing.join('\n  ')}`);
    }
  }
  // A quorum nobody could reach: every approver is a listed user (no group that may hold more), and too few of them.
  const approvers = e.PLAID_SETUP_APPROVERS;
  const required = e.PLAID_SETUP_APPROVALS_REQUIRED;
  if (required > 1 && !noRoleLists && !approvers.some((id) => GROUP_ID.test(id)) && approvers.length < required) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      `Invalid configuration:\n  PLAID_SETUP_APPROVALS_REQUIRED: ${e.PLAID_SETUP_APPROVALS_REQUIRED} approvals are required but PLAID_SETUP_APPROVERS lists ${approvers.length}; list more approvers (or a Slack user group), or require fewer`,
    );
  }
  const escalation = e.PLAID_SETUP_ESCALATION_APPROVERS;
  if (escalation.length > 0) {
    const problem =
      escalation.some((id) => !/^[UW][A-Z0-9]{2,}$/.test(id))
        ? 'PLAID_SETUP_ESCALATION_APPROVERS: list Slack user ids (U…), whom the bot messages directly'
        : e.PLAID_SETUP_ESCALATE_AFTER >= e.PLAID_SETUP_APPROVAL_TIMEOUT
          ? `PLAID_SETUP_ESCALATE_AFTER: must be shorter than PLAID_SETUP_APPROVAL_TIMEOUT (${formatDuration(e.PLAID_SETUP_APPROVAL_TIMEOUT)}), or requests expire before anyone is told`
          : !approvers.some((id) => GROUP_ID.test(id)) && escalation.some((id) => !approvers.includes(id))
            ? 'PLAID_SETUP_ESCALATION_APPROVERS: each must also be an approver (in PLAID_SETUP_APPROVERS, or in a user group listed there) to decide'
            : undefined;
    if (problem) throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, `Invalid configuration:\n  ${problem}`);
  }
  // A link that browsers cannot reach, or that sends the secret unencrypted, defeats the point of keeping it off Slack.
  if (e.NODE_ENV === 'production' && e.SLACK_BOT_TOKEN && e.PLAID_SETUP_SECRET_ENTRY === 'link' && !e.PLAID_SETUP_PUBLIC_URL?.startsWith('https://')) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      'Invalid configuration:\n  PLAID_SETUP_PUBLIC_URL: required in production for the one-time secret links: the https:// address browsers reach the bot at (behind your TLS proxy), or set PLAID_SETUP_SECRET_ENTRY=modal to type secrets into Slack instead',
    );
  }
  if (e.CODAT_WRITE_CREDENTIALS && !e.CODAT_API_KEY) {
    throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, 'Invalid configuration:\n  CODAT_WRITE_CREDENTIALS: set CODAT_API_KEY too (the key of the company the credentials are written for)');
  }
  const tlsWanted =
    e.TEMPORAL_TLS || !!(e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_TLS_KEY_PATH || e.TEMPORAL_TLS_CA_PATH) || !!e.TEMPORAL_API_KEY;
  if (e.PLAID_SETUP_PREVIOUS_PAYLOAD_KEY && !e.PLAID_SETUP_PAYLOAD_KEY) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      'Invalid configuration:\n  PLAID_SETUP_PREVIOUS_PAYLOAD_KEY: set PLAID_SETUP_PAYLOAD_KEY too (the key new payloads are written with)',
    );
  }
  const badOrigin = e.PLAID_SETUP_CODEC_ORIGINS.find((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (badOrigin !== undefined) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      'Invalid configuration:\n  PLAID_SETUP_CODEC_ORIGINS: each entry must be an origin such as https://temporal.example.com (scheme and host, no path)',
    );
  }
  if (!!e.TEMPORAL_TLS_CERT_PATH !== !!e.TEMPORAL_TLS_KEY_PATH) {
    throw new PlaidSetupError(
      ERROR_CODES.CONFIG_INVALID,
      'Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: set both for mutual TLS, or neither',
    );
  }
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(cwd, e.PLAID_SETUP_DATA_DIR),
    ...(e.PLAID_SETUP_DATABASE_URL ? { databaseUrl: e.PLAID_SETUP_DATABASE_URL } : {}),
    ...(e.PLAID_SETUP_MASTER_KEY ? { masterKey: e.PLAID_SETUP_MASTER_KEY } : {}),
    ...(e.PLAID_SETUP_PREVIOUS_MASTER_KEY ? { previousMasterKey: e.PLAID_SETUP_PREVIOUS_MASTER_KEY } : {}),
    ...(e.PLAID_SETUP_ASSERTION_KEY ? { assertionKey: e.PLAID_SETUP_ASSERTION_KEY } : {}),
    ...(e.PLAID_SETUP_PREVIOUS_ASSERTION_KEY ? { previousAssertionKey: e.PLAID_SETUP_PREVIOUS_ASSERTION_KEY } : {}),
    ...(e.PLAID_SETUP_PAYLOAD_KEY
      ? { payloadKeys: { current: e.PLAID_SETUP_PAYLOAD_KEY, ...(e.PLAID_SETUP_PREVIOUS_PAYLOAD_KEY ? { previous: e.PLAID_SETUP_PREVIOUS_PAYLOAD_KEY } : {}) } }
      : {}),
    codec: {
      port: e.PLAID_SETUP_CODEC_PORT,
      // The dev server's Web UI by default.
      origins:
        e.PLAID_SETUP_CODEC_ORIGINS.length > 0
          ? e.PLAID_SETUP_CODEC_ORIGINS
          : [`http://127.0.0.1:${e.TEMPORAL_DEV_UI_PORT}`, `http://localhost:${e.TEMPORAL_DEV_UI_PORT}`],
    },
    roles: { operator: e.PLAID_SETUP_OPERATORS, approver: e.PLAID_SETUP_APPROVERS, auditor: e.PLAID_SETUP_AUDITORS },
    rolesOpen,
    ...(e.PLAID_SETUP_ACTOR ? { actor: e.PLAID_SETUP_ACTOR } : {}),
    reminderAfterMs: e.PLAID_SETUP_REMINDER_AFTER,
    approvalTimeoutMs: e.PLAID_SETUP_APPROVAL_TIMEOUT,
    approvalsRequired: e.PLAID_SETUP_APPROVALS_REQUIRED,
    driftIntervalMs: e.PLAID_SETUP_DRIFT_INTERVAL,
    ...(e.PLAID_SETUP_ESCALATION_APPROVERS.length > 0 ? { escalation: { approvers: e.PLAID_SETUP_ESCALATION_APPROVERS, afterMs: e.PLAID_SETUP_ESCALATE_AFTER } } : {}),
    temporal: {
      ...(e.TEMPORAL_ADDRESS ? { address: e.TEMPORAL_ADDRESS } : {}),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      ...(tlsWanted
        ? {
            tls: {
              certPath: e.TEMPORAL_TLS_CERT_PATH,
              keyPath: e.TEMPORAL_TLS_KEY_PATH,
              caPath: e.TEMPORAL_TLS_CA_PATH,
              serverName: e.TEMPORAL_TLS_SERVER_NAME,
            },
          }
        : {}),
      ...(e.TEMPORAL_CLI_PATH ? { cliPath: e.TEMPORAL_CLI_PATH } : {}),
      devPort: e.TEMPORAL_DEV_PORT,
      devUiPort: e.TEMPORAL_DEV_UI_PORT,
      workflowCacheSize: e.PLAID_SETUP_WORKFLOW_CACHE_SIZE,
    },
    plaid: {
      ...(e.PLAID_SANDBOX_URL ? { sandboxUrl: e.PLAID_SANDBOX_URL } : {}),
      ...(e.PLAID_PRODUCTION_URL ? { productionUrl: e.PLAID_PRODUCTION_URL } : {}),
      timeoutMs: e.PLAID_TIMEOUT,
    },
    ...(e.CODAT_API_KEY ? { codat: { apiKey: e.CODAT_API_KEY, ...(e.CODAT_API_URL ? { apiUrl: e.CODAT_API_URL } : {}), writeCredentials: e.CODAT_WRITE_CREDENTIALS } } : {}),
    slack: {
      ...(e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN } : {}),
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
      port: e.PORT,
      ...(e.PLAID_SETUP_APPROVALS_CHANNEL ? { approvalsChannel: e.PLAID_SETUP_APPROVALS_CHANNEL } : {}),
      secretEntry: e.PLAID_SETUP_SECRET_ENTRY,
      ...(e.PLAID_SETUP_PUBLIC_URL ? { publicUrl: e.PLAID_SETUP_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    },
  };
}

/** The roles a user id holds by this configuration (no user groups: only Slack can tell those). */
export function rolesOf(config: Pick<Config, 'roles' | 'rolesOpen'>, id: string): Role[] {
  return rolesUnder({ open: config.rolesOpen, roles: config.roles }, id, []);
}
