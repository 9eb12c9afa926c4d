/**
 * Who holds which role, as the worker decides it: the worker's own role lists (user ids and
 * Slack user-group ids) and the keys that sign actor assertions. The worker builds this from
 * its configuration and compiles it into the workflow code it runs (see
 * temporal/worker/policy.ts), so an update validator never trusts roles a caller claims.
 */
import * as v from 'valibot';
import { ROLES, type Role } from '../shared/schemas';

/** Slack user-group ids; an entry like this grants its role only through an asserted group. */
export const GROUP_ID = /^S[A-Z0-9]+$/;

const ids = v.array(v.string());

export const AccessPolicySchema = v.object({
  /** Everyone holds every role: only for local use without Slack, when the operator opted in. */
  open: v.boolean(),
  roles: v.object({ operator: ids, approver: ids, auditor: ids }),
  /** Assertion keys in hex: the current one, then the one before a rotation. */
  assertionKeys: v.pipe(v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))), v.minLength(1)),
});
export type AccessPolicy = v.InferOutput<typeof AccessPolicySchema>;

/**
 * The roles of `actorId`, given the groups its signed assertion says it is in. A listed id
 * that looks like a group id only ever matches an asserted group, never an actor id, so
 * nobody can act "as" a group.
 */
export function rolesUnder(policy: Pick<AccessPolicy, 'open' | 'roles'>, actorId: string, groups: readonly string[]): Role[] {
  if (policy.open) return [...ROLES];
  return ROLES.filter((role) =>
    policy.roles[role].some((entry) => (GROUP_ID.test(entry) ? groups.includes(entry) : entry === actorId)),
  );
}
