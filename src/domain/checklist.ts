/**
 * The checklist as a pure state machine: who may act (validateAction), which actions the
 * state allows (the rules in actions.ts), what they change, and how check results and
 * timers move the steps. No Temporal API here, so every rule can be tested directly; the
 * workflow wraps these functions in update handlers.
 */
import { hexToBytes } from '@noble/hashes/utils';
import { DEFAULT_COUNTRIES, REDIRECT_URI, ROLE_VARIABLES, STEP_IDS, STEP_TITLES, check, type Actor, type Role, type StepId } from '../shared/schemas';
import { rolesUnder, type AccessPolicy } from './access';
import { confirmInCodat, ruleOf } from './rules';
import { assertionProblem, verifyAssertion } from './assertion';
import { failApproval } from './production';
import { ActionRejected, REJECTION_CODES } from './rejections';
import type { ActorRef, DatedProblem, Evidence, Problem, Rotation, SetupOptions, SetupState, SetupView } from './state';
import { PERSON_ACTIONS, actorRef, confirmTarget, mark, newJob, step, touch } from './steps';
import { ACTION_NAMES, declarationOf, ActionArgSchemas, type ActionName, type ParsedActionArgs } from '../shared/actions';

export function initialState(input: {
  setupId: string;
  name: string;
  createdBy: ActorRef;
  createdAt: string;
  options: SetupOptions;
}): SetupState {
  const state: SetupState = {
    setupId: input.setupId,
    name: input.name,
    version: 1,
    status: 'active',
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    currentStep: 'application',
    steps: STEP_IDS.map((id) => ({ id, title: STEP_TITLES[id], status: 'waiting', detail: PERSON_ACTIONS[id] })),
    data: {
      redirectUri: REDIRECT_URI,
      productionSecretConfirmed: false,
      environment: 'sandbox',
      requestedCountryCodes: [],
      countryCodes: [...DEFAULT_COUNTRIES.sandbox],
    },
    nextRequestNumber: 1,
    enabled: false,
    options: input.options,
    nextJobId: 1,
    lastChangeAt: input.createdAt,
    remindersSent: 0,
  };
  return state;
}

/**
 * The handler's parse. The validator checked who acts and every rule just before, in the
 * same workflow task; a replayed history runs handlers without validators (its assertions
 * long expired, its rules those of the code that accepted it) and must reach the same
 * state, so the handler checks nothing more.
 */
export function parseArgs<N extends ActionName>(name: N, raw: unknown): ParsedActionArgs<N> {
  const parsed = check(ActionArgSchemas[name], raw);
  if (!parsed.ok) throw new ActionRejected(REJECTION_CODES.INVALID_INPUT, `Invalid input: ${parsed.message}.`);
  return parsed.value as ParsedActionArgs<N>;
}

/** What the worker knows when it authorizes an action: its policy, the time, the update id. */
export interface AccessContext {
  /** Undefined when the worker was built without one: then nothing is allowed. */
  policy: AccessPolicy | undefined;
  now: number;
  updateId?: string;
}

/**
 * The roles of whoever signed `raw`'s assertion for `update` on `setupId`, decided by the
 * worker's policy. Throws ActionRejected when the assertion is missing, forged or stale.
 */
export function authorize(access: AccessContext, update: string, setupId: string, actorId: string, raw: unknown): Role[] {
  const policy = access.policy;
  if (!policy) {
    throw new ActionRejected(
      REJECTION_CODES.FORBIDDEN,
      'This worker was started without an access policy, so it allows nothing; start it with plaid-setup worker or dev.',
    );
  }
  const keys = policy.assertionKeys.map((hex) => hexToBytes(hex));
  const check = verifyAssertion(keys, raw, { update, setupId, ...(access.updateId ? { updateId: access.updateId } : {}) }, access.now);
  if (!check.ok) throw new ActionRejected(REJECTION_CODES.UNAUTHENTICATED, assertionProblem(check.reason));
  return rolesUnder(policy, actorId, check.groups);
}

/**
 * The validator: checks who acts (signed assertion, roles from the worker's policy) and the
 * action against the current state, and returns its parsed arguments. Throws
 * ActionRejected, and changes nothing, when the action is not allowed now.
 */
export function validateAction<N extends ActionName>(state: SetupState, name: N, raw: unknown, access: AccessContext): ParsedActionArgs<N> {
  const args = parseArgs(name, raw);
  const { actor } = args;
  const roles = authorize(access, name, state.setupId, actor.id, raw);
  const role = declarationOf(name).role;
  if (!roles.includes(role)) {
    throw new ActionRejected(
      REJECTION_CODES.FORBIDDEN,
      `${actor.displayName} (${actor.id}) is not an ${role}; only people listed in ${ROLE_VARIABLES[role]} can do this.`,
    );
  }
  if (state.status === 'cancelled') {
    throw new ActionRejected(REJECTION_CODES.CLOSED, `Setup "${state.name}" was cancelled; start a new setup instead.`);
  }
  ruleOf(name).check(state, args);
  return args;
}

/**
 * The actions the state allows now, whoever asks (roles and four eyes are checked when
 * someone acts). The Slack checklist shows a button for each and no other.
 */
export function availableActions(state: SetupState): ActionName[] {
  if (state.status === 'cancelled') return [];
  const anyone: Actor = { id: '', displayName: '', source: 'slack' };
  return ACTION_NAMES.filter((name) => {
    try {
      // A probe, not an action: no arguments beyond who and which request, so only rules about the state decide.
      ruleOf(name).check(state, { actor: anyone, requestId: state.production?.id } as never);
      return true;
    } catch (err) {
      if (err instanceof ActionRejected) return false;
      throw err;
    }
  });
}

/** What confirmCodat confirms now, if anything: the first Portal entries, or the verified Production secret. */
export function pendingConfirmation(state: SetupState): 'codat_portal' | 'production_secret' | undefined {
  try {
    return confirmTarget(state, undefined);
  } catch (err) {
    if (err instanceof ActionRejected) return undefined;
    throw err;
  }
}

/** Applies an action that validateAction accepted. */
export function applyAction<N extends ActionName>(state: SetupState, name: N, args: ParsedActionArgs<N>, now: string): void {
  const rule = ruleOf(name);
  rule.apply(state, args, now, actorRef(args.actor));
  // A new attempt at the step that last failed clears its error.
  if (rule.retries && state.lastError?.step === rule.retries) state.lastError = undefined;
  touch(state, now);
}

/** Exactly what the operator enters in the Codat Portal (secrets by fingerprint only). */
export function codatPortalEntries(state: SetupState): Array<{ field: string; value: string }> {
  const d = state.data;
  const entries = [
    { field: 'Where', value: 'Codat Portal > Settings > Integrations > Banking > Plaid' },
    { field: 'Client ID', value: d.clientId ?? '(enter credentials first)' },
    { field: 'Sandbox secret', value: d.sandboxSecret?.fingerprint ?? '(enter credentials first)' },
  ];
  if (d.developmentSecret) entries.push({ field: 'Development secret (legacy)', value: d.developmentSecret.fingerprint });
  if (d.productionSecret) entries.push({ field: 'Production secret', value: d.productionSecret.fingerprint });
  entries.push(
    { field: 'Environment', value: d.environment },
    { field: 'Country codes', value: d.countryCodes.join(', ') },
    { field: 'Data access', value: d.syncMode === 'one-off' ? 'One-off sync' : 'Continuous sync' },
    { field: 'Link customization', value: d.linkCustomizationName ?? '(none)' },
  );
  return entries;
}

/** Says on the job's step what the running check is doing now (only the two step checks report progress). */
export function noteJobProgress(state: SetupState, jobId: number, detail: string): void {
  const job = state.job;
  if (!job || job.id !== jobId || (job.kind !== 'sandbox_test' && job.kind !== 'production_secret')) return;
  step(state, job.kind).detail = detail;
  state.version += 1;
}

/** Applies the outcome of a job, unless the job was superseded (cancelled or re-opened). */
export function finishJob(
  state: SetupState,
  jobId: number,
  outcome: { ok: true; evidence: Evidence } | { ok: false; failure: Problem },
  now: string,
): boolean {
  const job = state.job;
  if (!job || job.id !== jobId) return false;
  state.job = undefined;
  const problem = outcome.ok ? undefined : { ...outcome.failure, at: now };
  switch (job.kind) {
    case 'sandbox_test':
      if (outcome.ok) {
        mark(state, 'sandbox_test', 'done', now, undefined, 'Sandbox test passed.', { evidence: outcome.evidence });
      } else {
        mark(state, 'sandbox_test', 'failed', now, undefined, problem!.message, { error: problem });
      }
      break;
    case 'production_secret':
      state.data.pendingProductionSecret = undefined;
      if (outcome.ok) {
        state.data.productionSecret = job.secret;
        state.data.productionSecretConfirmed = false;
        mark(
          state,
          'production_secret',
          'in_progress',
          now,
          undefined,
          `Production secret ${job.secret.fingerprint} verified. Enter it in the Codat Portal, then confirm.`,
          { evidence: outcome.evidence },
        );
      } else {
        // The secret that failed replaces nothing; a verified one stays in force.
        const keep = state.data.productionSecret
          ? ` Production secret ${state.data.productionSecret.fingerprint} stays in force.`
          : '';
        mark(state, 'production_secret', 'failed', now, undefined, `${problem!.message}${keep}`, { error: problem });
      }
      break;
    case 'drift': {
      const enablement = step(state, 'enablement');
      if (outcome.ok) {
        enablement.evidence = { ...(enablement.evidence ?? {}), liveKeysCheckedAt: now, liveKeysAccepted: true };
        if (state.attention && enablement.error?.code === state.attention.code) enablement.error = undefined;
        state.attention = undefined;
      } else {
        // The step's own advice (enter the secret again) does not apply once enabled: rotate.
        const attention =
          problem && problem.code === 'INVALID_API_KEYS'
            ? { ...problem, action: `Plaid no longer takes the ${job.environment} secret in force (deleted in the Dashboard?): rotate to a working one with rotate-secret (${job.environment}), from Plaid Dashboard > Team Settings > Keys.` }
            : problem;
        state.attention = attention;
        enablement.error = attention;
      }
      break;
    }
    case 'codat_write': {
      const target = step(state, job.target);
      if (outcome.ok) {
        target.error = undefined;
        confirmInCodat(state, job.target, now, job.by, 'written to Codat by plaid-setup (credentials endpoint)');
        target.evidence = { ...(target.evidence ?? {}), ...outcome.evidence };
      } else {
        target.error = problem;
        target.detail = `Writing to Codat failed: ${problem!.message}`;
      }
      break;
    }
    case 'migration': {
      const migration = state.migration as NonNullable<SetupState['migration']>;
      const enablement = step(state, 'enablement');
      migration.at = now;
      if (outcome.ok) {
        migration.status = 'done';
        migration.error = undefined;
        enablement.evidence = { ...(enablement.evidence ?? {}), liveKeysCheckedAt: now, liveKeysAccepted: true };
        enablement.detail = `Migrated to Production by ${job.by.displayName}: Plaid Production accepted the keys; enabled in Production.`;
      } else {
        // Codat already runs on the Production secret the operator confirmed: flag it, do not switch back unasked.
        migration.status = 'failed';
        migration.error = problem;
        state.attention = problem;
        enablement.error = problem;
      }
      break;
    }
    case 'retire': {
      // Here a refusal is the good outcome: Plaid no longer takes the old secret.
      const retirement = (state.rotation as NonNullable<SetupState['rotation']>).retirement as NonNullable<Rotation['retirement']>;
      retirement.at = now;
      const refused = !outcome.ok && outcome.failure.code === 'INVALID_API_KEYS';
      if (refused) {
        retirement.status = 'confirmed';
        retirement.error = undefined;
        if (state.lastError?.step === 'rotation') state.lastError = undefined;
      } else {
        retirement.status = 'still_works';
        retirement.error = outcome.ok
          ? {
              code: 'OLD_SECRET_STILL_ACTIVE',
              message: `Plaid still accepts the old ${job.secretKind} secret ${job.secret.fingerprint}.`,
              action: 'Delete it under Plaid Dashboard > Team Settings > Keys (the new secret stays), then confirm again.',
              at: now,
            }
          : problem;
        state.lastError = { ...(retirement.error as DatedProblem), step: 'rotation' };
      }
      state.version += 1;
      state.currentStep = state.steps.find((s) => s.status !== 'done')?.id ?? null;
      return true;
    }
    case 'rotation': {
      const rotation = state.rotation as NonNullable<SetupState['rotation']>;
      rotation.at = now;
      if (outcome.ok) {
        rotation.status = 'done';
        const replaced = job.secretKind === 'sandbox' ? state.data.sandboxSecret : state.data.productionSecret;
        if (job.secretKind === 'sandbox') state.data.sandboxSecret = job.secret;
        else state.data.productionSecret = job.secret;
        if (replaced && replaced.ref !== job.secret.ref) rotation.retirement = { secret: replaced, status: 'pending' };
      } else {
        rotation.status = 'failed';
        rotation.error = problem;
      }
      break;
    }
  }
  if (problem) {
    const where = job.kind === 'rotation' ? 'rotation' : job.kind === 'drift' || job.kind === 'migration' ? 'enablement' : job.kind === 'codat_write' ? job.target : job.kind;
    state.lastError = { ...problem, step: where };
  }
  if (!outcome.ok && job.kind === 'drift' && state.attention) state.lastError = { ...state.attention, step: 'enablement' };
  if (outcome.ok && job.kind === 'drift' && state.lastError?.step === 'enablement' && !state.attention && !step(state, 'enablement').error) state.lastError = undefined;
  state.version += 1;
  state.currentStep = state.steps.find((s) => s.status !== 'done')?.id ?? null;
  return true;
}

const CODAT_PLACE = 'the Codat Portal under Settings > Integrations > Banking > Plaid';

/**
 * Records what Codat said about the integration against what the setup expects. Returns
 * whether the state changed: a read-back the worker could not make (no CODAT_API_KEY) after
 * enable or disable changes nothing; asked for, it says why nothing was read.
 */
export function recordCodatCheck(
  state: SetupState,
  check: NonNullable<SetupState['codatCheck']>,
  outcome: { ok: true; evidence: Evidence } | { ok: false; failure: Problem },
  now: string,
): boolean {
  state.codatCheck = undefined;
  const enablement = step(state, 'enablement');
  let problem: Problem | undefined;
  if (!outcome.ok) {
    problem = outcome.failure;
  } else if (outcome.evidence.codatChecked !== true) {
    if (!check.asked) return false;
    problem = {
      code: 'CODAT_NOT_CONFIGURED',
      message: 'The worker has no CODAT_API_KEY, so nothing was read from Codat.',
      action: `Set CODAT_API_KEY on the worker to have plaid-setup read the integration from Codat, or compare it by hand in ${CODAT_PLACE}.`,
    };
  } else if (outcome.evidence.codatEnabled !== check.expected) {
    problem = {
      code: 'CODAT_MISMATCH',
      message: check.expected
        ? 'Codat says the Plaid integration is not enabled for this company, but this setup is enabled.'
        : 'Codat says the Plaid integration is still enabled for this company, but this setup is disabled.',
      action: `${check.expected ? 'Enable' : 'Disable'} Plaid in ${CODAT_PLACE} and save, then check Codat again.`,
    };
  }
  if (outcome.ok && outcome.evidence.codatChecked === true) {
    enablement.evidence = { ...(enablement.evidence ?? {}), codatEnabled: outcome.evidence.codatEnabled as boolean, codatCheckedAt: now };
  }
  if (problem) {
    enablement.error = { ...problem, at: now };
    state.lastError = { ...problem, at: now, step: 'enablement' };
  } else {
    enablement.error = undefined;
    if (state.lastError?.step === 'enablement') state.lastError = undefined;
  }
  state.version += 1;
  return true;
}

/**
 * Starts the drift watch's check of an enabled setup's live keys, in its environment with
 * the secret it runs on. Returns false when there is nothing to check now (not enabled, a
 * check already running), so a drift signal to such a setup changes nothing.
 */
export function startDriftCheck(state: SetupState): boolean {
  if (state.status !== 'active' || !state.enabled || state.job) return false;
  const environment = state.data.environment;
  const secret = environment === 'production' ? state.data.productionSecret : state.data.sandboxSecret;
  if (!secret || !state.data.clientId) return false;
  newJob(state, { kind: 'drift', environment, secret });
  state.version += 1;
  return true;
}

/** Whom the setup is waiting on now, if anyone. */
export function waitingOn(state: SetupState): { step: StepId; who: 'operators' | 'approvers' } | undefined {
  if (state.status !== 'active' || state.job || state.currentStep === null) return undefined;
  if (state.currentStep === 'production_approval' && step(state, 'production_approval').status === 'in_progress') {
    return { step: 'production_approval', who: 'approvers' };
  }
  return { step: state.currentStep, who: 'operators' };
}

const MAX_REMINDER_BACKOFF = 8;

/** When the next reminder is due: the idle time, doubling after each reminder up to 8x. */
export function nextReminderAt(state: SetupState): number | undefined {
  if (!waitingOn(state)) return undefined;
  const base = state.options.reminderAfterMs;
  let due = Date.parse(state.lastChangeAt);
  for (let i = 0; i <= state.remindersSent; i++) due += base * Math.min(2 ** i, MAX_REMINDER_BACKOFF);
  return due;
}

export function approvalExpiresAt(state: SetupState): number | undefined {
  const request = state.production;
  if (!request || request.decision || step(state, 'production_approval').status !== 'in_progress') return undefined;
  return Date.parse(request.expiresAt);
}

/** When the escalation approvers are to be told: once, while the request waits, before it expires. */
export function escalationDueAt(state: SetupState): number | undefined {
  const request = state.production;
  const after = state.options.escalateAfterMs;
  if (after === undefined || !request || request.escalatedAt || request.decision) return undefined;
  if (step(state, 'production_approval').status !== 'in_progress') return undefined;
  const due = Date.parse(request.requestedAt) + after;
  return due < Date.parse(request.expiresAt) ? due : undefined;
}

export function recordEscalation(state: SetupState, now: string): void {
  (state.production as NonNullable<SetupState['production']>).escalatedAt = now;
  state.version += 1;
}

export function recordReminder(state: SetupState): void {
  state.remindersSent += 1;
}

/** An unanswered production request lapses; production can then be requested again. */
export function expireApproval(state: SetupState, now: string): void {
  const request = state.production as NonNullable<SetupState['production']>;
  request.decision = 'expired';
  request.decidedAt = now;
  failApproval(
    state,
    {
      code: 'APPROVAL_EXPIRED',
      message: `No approver decided on the production request by ${request.expiresAt}.`,
      action: 'Request production again, and ask an approver to decide.',
      at: now,
    },
    undefined,
  );
  touch(state, now);
}

/** The state as the query returns it: a copy, with what to enter in the Codat Portal. */
export function publicView(state: SetupState): SetupView {
  return { ...structuredCloneJson(state), codatPortal: codatPortalEntries(state) };
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
