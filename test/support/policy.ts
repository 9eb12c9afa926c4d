/**
 * The access policy every test worker runs with, and the assertion key the tests' bot, CLI
 * and harness sign with. Roles mirror test/support/slack-world.ts (approvers through the
 * S0APPROVERS user group) plus the login names test/cli.test.ts acts as.
 */
import type { AccessPolicy } from '../../src/domain/access';
import { signAssertion } from '../../src/domain/assertion';
import type { Role } from '../../src/shared/schemas';
import type { SetupState } from '../../src/domain/state';
import { validateAction } from '../../src/domain/checklist';
import { type ActionName } from '../../src/shared/actions';

export const TEST_ASSERTION_KEY = Buffer.alloc(32, 0x5a);
export const APPROVERS_GROUP = 'S0APPROVERS';

export const TEST_ROLES = {
  operator: ['U0ALICE', 'U0OLGA', 'U0CAROL', 'alice', 'olga'],
  approver: [APPROVERS_GROUP, 'bob'],
  auditor: ['U0DAVE', 'dave'],
};

/** Who is in which Slack user group, as the Slack emulator in slack-world.ts has it. */
export const TEST_GROUPS: Record<string, string[]> = { U0BOB: [APPROVERS_GROUP], U0CAROL: [APPROVERS_GROUP] };

export const TEST_POLICY: AccessPolicy = {
  open: false,
  roles: TEST_ROLES,
  assertionKeys: [TEST_ASSERTION_KEY.toString('hex')],
};

/** What the tests' configurations set so the bot and the CLI sign with the workers' key. */
export const TEST_KEY_ENV = { PLAID_SETUP_ASSERTION_KEY: TEST_ASSERTION_KEY.toString('base64') };

/** A policy where each listed id holds exactly the given roles (for pure checklist tests). */
export function policyWith(holders: Record<string, readonly Role[]>): AccessPolicy {
  const roles: AccessPolicy['roles'] = { operator: [], approver: [], auditor: [] };
  for (const [id, held] of Object.entries(holders)) for (const role of held) roles[role].push(id);
  return { open: false, roles, assertionKeys: [TEST_ASSERTION_KEY.toString('hex')] };
}

/**
 * Validates an action as a worker under `policy` would: signed by the test key for the
 * state's setup, checked now. What the workflow's validator does, without Temporal.
 */
export function validateSigned<N extends ActionName>(policy: AccessPolicy, state: SetupState, name: N, args: Record<string, unknown>, groups: string[] = []) {
  const signed = signAssertion(TEST_ASSERTION_KEY, { update: name, setupId: state.setupId }, args, { groups });
  return validateAction(state, name, signed, { policy, now: Date.now() });
}
