/**
 * Actor assertions: the bot and the CLI sign who is acting, bound to one update (or the
 * start) of one setup, its exact arguments, its update id and a short expiry, with
 * HMAC-SHA256 under PLAID_SETUP_ASSERTION_KEY. The workflow verifies them with the key the
 * worker holds, so nobody who can merely reach Temporal can act as someone else.
 *
 * Pure JavaScript (@noble/hashes): the same code runs in the workflow sandbox, where
 * node:crypto is not available, and in the bot and CLI.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import * as v from 'valibot';

/** Long enough for a queued update to reach a busy worker, short enough to be useless later. */
export const ASSERTION_TTL_MS = 2 * 60_000;
/** How far the signer's clock may run ahead of the worker's. */
const CLOCK_SKEW_MS = 60_000;
const DOMAIN = 'plaid-setup/actor-assertion/v1';

/** What the update name is for a workflow start. */
export const START_ASSERTION = 'start';

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const time = v.pipe(v.number(), v.integer());

export const AssertionSchema = v.object({
  v: v.literal(1),
  update: text(64),
  setupId: text(64),
  updateId: v.optional(text(200)),
  /** Slack user groups the signer found the actor in (only groups the worker lists grant a role). */
  groups: v.pipe(v.array(text(32)), v.maxLength(100)),
  issuedAt: time,
  expiresAt: time,
  mac: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});
export type ActorAssertion = v.InferOutput<typeof AssertionSchema>;

export interface AssertionScope {
  update: string;
  setupId: string;
  updateId?: string;
}

export type AssertionCheck =
  | { ok: true; groups: string[] }
  | { ok: false; reason: 'missing' | 'malformed' | 'forged' | 'expired' | 'wrong_target' };

/** The arguments as signed: everything but the assertion, as JSON (key order is kept on the wire). */
function signedBody(args: Record<string, unknown>): string {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (key !== 'assertion') rest[key] = value;
  return JSON.stringify(rest);
}

function macOf(key: Uint8Array, a: Omit<ActorAssertion, 'mac'>, body: string): string {
  const message = JSON.stringify([DOMAIN, a.update, a.setupId, a.updateId ?? null, a.groups, a.issuedAt, a.expiresAt, body]);
  return bytesToHex(hmac(sha256, key, utf8ToBytes(message)));
}

/** Compares two hex strings in time that does not depend on where they differ. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Signs `args` (without an assertion) for `scope`; returns the args with `assertion` added. */
export function signAssertion<T extends Record<string, unknown>>(
  key: Uint8Array,
  scope: AssertionScope,
  args: T,
  options: { groups?: string[]; now?: number } = {},
): T & { assertion: ActorAssertion } {
  const issuedAt = options.now ?? Date.now();
  const fields: Omit<ActorAssertion, 'mac'> = {
    v: 1,
    update: scope.update,
    setupId: scope.setupId,
    ...(scope.updateId ? { updateId: scope.updateId } : {}),
    groups: [...(options.groups ?? [])].sort(),
    issuedAt,
    expiresAt: issuedAt + ASSERTION_TTL_MS,
  };
  return { ...args, assertion: { ...fields, mac: macOf(key, fields, signedBody(args)) } };
}

/**
 * Checks the assertion carried in `args` against the keys (current first, then the one
 * before a rotation), the expected update, setup and update id, and the time now.
 */
export function verifyAssertion(keys: readonly Uint8Array[], args: unknown, scope: AssertionScope, now: number): AssertionCheck {
  if (typeof args !== 'object' || args === null || !('assertion' in args)) return { ok: false, reason: 'missing' };
  const parsed = v.safeParse(AssertionSchema, (args as { assertion: unknown }).assertion);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const a = parsed.output;
  const body = signedBody(args as Record<string, unknown>);
  const { mac, ...fields } = a;
  if (!keys.some((key) => sameHex(macOf(key, fields, body), mac))) return { ok: false, reason: 'forged' };
  if (a.update !== scope.update || a.setupId !== scope.setupId || (a.updateId ?? undefined) !== scope.updateId) {
    return { ok: false, reason: 'wrong_target' };
  }
  if (now > a.expiresAt || a.issuedAt > now + CLOCK_SKEW_MS || a.expiresAt - a.issuedAt > ASSERTION_TTL_MS) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, groups: a.groups };
}

/** The sentence for a refused assertion: what happened and what to do. */
export function assertionProblem(reason: Exclude<AssertionCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'missing':
      return 'This action carries no signed actor assertion; send it through the plaid-setup bot or CLI, which sign who is acting.';
    case 'malformed':
      return "This action's actor assertion is malformed; send it again through the plaid-setup bot or CLI.";
    case 'forged':
      return "This action's actor assertion is not signed with the worker's PLAID_SETUP_ASSERTION_KEY (or its arguments were changed after signing); the bot, the CLI and the worker must share that key.";
    case 'expired':
      return "This action's actor assertion has expired (they are valid for two minutes); do it again.";
    case 'wrong_target':
      return "This action's actor assertion was signed for another action, setup or update id; do it again.";
  }
}
