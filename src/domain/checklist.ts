/**
 * The checklist as a pure state machine: which action is allowed now, what it changes,
 * and how check results and timers move the steps. No Temporal API here, so every rule
 * can be tested directly; the workflow wraps these functions in update handlers.
 */
import type { ZodType } from 'zod';
import { rolesUnder, type AccessPolicy } from './access';
import { assertionProblem, verifyAssertion } from './assertion';
import {
  ACTION_NAMES,
  ACTION_ROLES,
  ActionArgSchemas,
  ROLE_VARIABLES,
  DEFAULT_COUNTRIES,
  REDIRECT_URI,
  STEP_IDS,
  STEP_TITLES,
  describeIssues,
  type ActionName,
  type Actor,
  type CountryCode,
  type ParsedActionArgs,
  type PlaidEnvironment,
  type Role,
  type SecretRef,
  type StepId,
} from '../shared/schemas';
import type { ActorRef, ApprovalSubject, DatedProblem, Evidence, Job, Problem, SetupOptions, SetupState, SetupView, StepState } from './state';

export const REJECTION_CODES = {
  INVALID_INPUT: 'INVALID_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  STALE_REQUEST: 'STALE_REQUEST',
  SELF_APPROVAL: 'SELF_APPROVAL',
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  ALREADY_DONE: 'ALREADY_DONE',
  BUSY: 'BUSY',
  CLOSED: 'CLOSED',
  NOT_ALLOWED_NOW: 'NOT_ALLOWED_NOW',
} as const;
export type RejectionCode = (typeof REJECTION_CODES)[keyof typeof REJECTION_CODES];

/** An action the checklist refuses. The message is one sentence a person can act on. */
export class ActionRejected extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRejected';
  }
}

const PERSON_ACTIONS: Record<StepId, string> = {
  application: `Add ${REDIRECT_URI} under Plaid Dashboard > Team Settings > API > Allowed redirect URIs, then confirm.`,
  sandbox_credentials: 'Enter the client_id and Sandbox secret from Plaid Dashboard > Team Settings > Keys.',
  settings: 'Choose the country codes, the sync mode and, optionally, a Link customization.',
  sandbox_test: 'Run the Sandbox test.',
  codat_portal:
    'Enter these values in the Codat Portal under Settings > Integrations > Banking > Plaid, then confirm.',
  production_request:
    'Request production access in the Plaid Dashboard ("Migrate to Production"), then request production approval here.',
  production_approval: 'An approver other than the requester approves or rejects the production request.',
  production_secret: 'Enter the Production secret from Plaid Dashboard > Team Settings > Keys.',
  enablement: 'Enable the integration.',
};

export function actorRef(actor: Actor): ActorRef {
  return { id: actor.id, displayName: actor.displayName, source: actor.source };
}

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

export function step(state: SetupState, id: StepId): StepState {
  const found = state.steps.find((s) => s.id === id);
  if (!found) throw new Error(`unknown step ${id}`);
  return found;
}

const isDone = (state: SetupState, id: StepId) => step(state, id).status === 'done';

/** The first step before `id` that is not done, if any. */
function blockerOf(state: SetupState, id: StepId): StepState | undefined {
  const index = STEP_IDS.indexOf(id);
  return state.steps.slice(0, index).find((s) => s.status !== 'done');
}

function requireBefore(state: SetupState, id: StepId, what: string): void {
  const blocker = blockerOf(state, id);
  if (blocker) {
    throw new ActionRejected(
      REJECTION_CODES.OUT_OF_ORDER,
      `Can't ${what} yet: step "${blocker.title}" is ${blocker.status.replace('_', ' ')}. ${PERSON_ACTIONS[blocker.id]}`,
    );
  }
}

/**
 * The handler's parse. The validator checked who acts and every rule just before, in the
 * same workflow task; a replayed history runs handlers without validators (its assertions
 * long expired, its rules those of the code that accepted it) and must reach the same
 * state, so the handler checks nothing more.
 */
export function parseArgs<N extends ActionName>(name: N, raw: unknown): ParsedActionArgs<N> {
  const schema = ActionArgSchemas[name] as unknown as ZodType<ParsedActionArgs<N>>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ActionRejected(REJECTION_CODES.INVALID_INPUT, `Invalid input: ${describeIssues(parsed.error)}.`);
  }
  return parsed.data;
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
  const keys = policy.assertionKeys.map(hexBytes);
  const check = verifyAssertion(keys, raw, { update, setupId, ...(access.updateId ? { updateId: access.updateId } : {}) }, access.now);
  if (!check.ok) throw new ActionRejected(REJECTION_CODES.UNAUTHENTICATED, assertionProblem(check.reason));
  return rolesUnder(policy, actorId, check.groups);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * The validator: checks who acts (signed assertion, roles from the worker's policy) and the
 * action against the current state, and returns its parsed arguments. Throws
 * ActionRejected, and changes nothing, when the action is not allowed now.
 */
export function validateAction<N extends ActionName>(state: SetupState, name: N, raw: unknown, access: AccessContext): ParsedActionArgs<N> {
  const args = parseArgs(name, raw);
  const actor = (args as { actor: Actor }).actor;
  const roles = authorize(access, name, state.setupId, actor.id, raw);
  const role = ACTION_ROLES[name];
  if (!roles.includes(role)) {
    throw new ActionRejected(
      REJECTION_CODES.FORBIDDEN,
      `${actor.displayName} (${actor.id}) is not an ${role}; only people listed in ${ROLE_VARIABLES[role]} can do this.`,
    );
  }
  if (state.status === 'cancelled') {
    throw new ActionRejected(REJECTION_CODES.CLOSED, `Setup "${state.name}" was cancelled; start a new setup instead.`);
  }
  checkRules(state, name, args);
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
      checkRules(state, name, { actor: anyone, requestId: state.production?.id } as ParsedActionArgs<ActionName>);
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

function checkRules(state: SetupState, name: ActionName, args: ParsedActionArgs<ActionName>): void {
  const a = args as Record<string, unknown> & { actor: Actor };
  switch (name) {
    case 'confirmRedirect':
      if (isDone(state, 'application')) {
        throw new ActionRejected(REJECTION_CODES.ALREADY_DONE, 'The redirect URI is already confirmed.');
      }
      return;
    case 'submitCredentials':
      requireBefore(state, 'sandbox_credentials', 'enter credentials');
      refuseWhileEnabled(state, 'change credentials');
      refuseWhileJob(state, 'change credentials');
      return;
    case 'updateSettings': {
      requireBefore(state, 'settings', 'change settings');
      refuseWhileEnabled(state, 'change settings');
      refuseWhileJob(state, 'change settings');
      if (a.environment === 'production' && !isDone(state, 'production_secret')) {
        throw new ActionRejected(
          REJECTION_CODES.OUT_OF_ORDER,
          "Can't choose the production environment yet: production needs an approved request and a verified Production secret first.",
        );
      }
      return;
    }
    case 'runSandboxTest':
      requireBefore(state, 'sandbox_test', 'run the Sandbox test');
      refuseWhileJob(state, 'start another check');
      return;
    case 'confirmCodat': {
      const target = confirmTarget(state, a.step as StepId | undefined);
      if (target === 'codat_portal') requireBefore(state, 'codat_portal', 'confirm the Codat Portal entries');
      return;
    }
    case 'requestProduction':
      requireBefore(state, 'production_request', 'request production');
      if (isDone(state, 'production_request')) {
        throw new ActionRejected(
          REJECTION_CODES.ALREADY_DONE,
          state.production?.decision === 'approved'
            ? 'Production is already approved.'
            : 'Production is already requested; wait for an approver.',
        );
      }
      return;
    case 'approveProduction':
    case 'rejectProduction': {
      const request = state.production;
      if (!request || request.decision || step(state, 'production_approval').status !== 'in_progress') {
        throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, 'There is no production request waiting for a decision.');
      }
      if (a.requestId !== request.id) {
        const current = `The request waiting now is ${request.id} (${describeSubject(request.subject)}); decide on it from its own message, or name it: --request ${request.id}.`;
        throw new ActionRejected(
          a.requestId === undefined ? REJECTION_CODES.INVALID_INPUT : REJECTION_CODES.STALE_REQUEST,
          a.requestId === undefined
            ? `Say which production request you decide on. ${current}`
            : `That decision is for production request ${a.requestId as string}, which is no longer waiting. ${current}`,
        );
      }
      if (request.requestedBy.id === a.actor.id) {
        throw new ActionRejected(
          REJECTION_CODES.SELF_APPROVAL,
          `${a.actor.displayName} requested production and cannot also decide on it; ask another approver.`,
        );
      }
      return;
    }
    case 'submitProductionSecret':
      requireBefore(state, 'production_secret', 'enter the Production secret');
      refuseWhileEnabled(state, 'replace the Production secret (use rotate-secret)');
      refuseWhileJob(state, 'submit another secret');
      return;
    case 'enable':
      if (state.enabled) throw new ActionRejected(REJECTION_CODES.ALREADY_DONE, 'The integration is already enabled.');
      requireBefore(state, 'enablement', 'enable the integration');
      refuseUnlessApproved(state);
      return;
    case 'disable':
      if (!state.enabled) throw new ActionRejected(REJECTION_CODES.NOT_ALLOWED_NOW, 'The integration is not enabled.');
      return;
    case 'rotateSecret':
      if (!isDone(state, 'enablement')) {
        throw new ActionRejected(
          REJECTION_CODES.OUT_OF_ORDER,
          'Secrets are rotated once the integration has been enabled; until then, enter the new secret in its step.',
        );
      }
      refuseWhileJob(state, 'rotate a secret');
      return;
    case 'cancel':
      // plaid-setup cannot switch Codat off itself: a cancelled setup must not leave it on unrecorded.
      if (state.enabled) {
        throw new ActionRejected(
          REJECTION_CODES.NOT_ALLOWED_NOW,
          "Can't cancel while the integration is enabled: disable it in the Codat Portal and here (disable), then cancel.",
        );
      }
      return;
  }
}

/** Enabling needs an approval of exactly the values that would be enabled. */
function refuseUnlessApproved(state: SetupState): void {
  const request = state.production;
  if (request?.decision !== 'approved') {
    throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, "Can't enable the integration: production is not approved; request production first.");
  }
  const changed = subjectChanges(request.subject, subjectOf(state));
  if (state.data.environment !== request.subject.environment) changed.push(`environment (${state.data.environment}, approved ${request.subject.environment})`);
  if (changed.length > 0) {
    throw new ActionRejected(
      REJECTION_CODES.NOT_ALLOWED_NOW,
      `Can't enable: ${changed.join(', ')} differ from what ${request.decidedBy?.displayName ?? 'the approver'} approved in ${request.id}; request production again.`,
    );
  }
}

/** The values production would run with now (what a production request asks to approve). */
export function subjectOf(state: SetupState): ApprovalSubject {
  const d = state.data;
  return {
    clientId: d.clientId ?? '',
    environment: 'production',
    countryCodes: countriesFor(d, 'production'),
    syncMode: d.syncMode ?? 'continuous',
    ...(d.linkCustomizationName ? { linkCustomizationName: d.linkCustomizationName } : {}),
  };
}

/** Which approved values differ in `now`, in words. */
export function subjectChanges(approved: ApprovalSubject, now: ApprovalSubject): string[] {
  const changes: string[] = [];
  if (approved.clientId !== now.clientId) changes.push(`client_id (${now.clientId}, approved ${approved.clientId})`);
  if (approved.countryCodes.join(',') !== now.countryCodes.join(',')) {
    changes.push(`country codes (${now.countryCodes.join(',')}, approved ${approved.countryCodes.join(',')})`);
  }
  if (approved.syncMode !== now.syncMode) changes.push(`sync mode (${now.syncMode}, approved ${approved.syncMode})`);
  if ((approved.linkCustomizationName ?? '') !== (now.linkCustomizationName ?? '')) {
    changes.push(`Link customization (${now.linkCustomizationName ?? 'none'}, approved ${approved.linkCustomizationName ?? 'none'})`);
  }
  return changes;
}

export function describeSubject(subject: ApprovalSubject): string {
  const link = subject.linkCustomizationName ? `, Link customization "${subject.linkCustomizationName}"` : '';
  return `client_id ${subject.clientId}, countries ${subject.countryCodes.join(',')}, ${subject.syncMode} sync${link}`;
}

/**
 * After credentials or settings change: a production request (waiting or approved) for
 * other values no longer stands. It is superseded, and production must be requested again.
 */
function supersedeIfChanged(state: SetupState, now: string, by: ActorRef): void {
  const request = state.production;
  if (!request || (request.decision !== undefined && request.decision !== 'approved')) return;
  const changed = subjectChanges(request.subject, subjectOf(state));
  if (changed.length === 0) return;
  request.decision = 'superseded';
  request.decidedAt = now;
  request.reason = `changed after the request: ${changed.join(', ')}`;
  request.messagesClosed = false;
  const why = `${changed.map((c) => c.replace(/ \(.*$/, '')).join(', ')} changed by ${by.displayName} after production request ${request.id}`;
  mark(state, 'production_request', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_request}`);
  mark(state, 'production_approval', 'waiting', now, by, `Re-opened: ${why}. ${PERSON_ACTIONS.production_approval}`);
  if (state.lastError?.step === 'production_approval') state.lastError = undefined;
}

function refuseWhileEnabled(state: SetupState, what: string): void {
  if (state.enabled) {
    throw new ActionRejected(
      REJECTION_CODES.NOT_ALLOWED_NOW,
      `Can't ${what} while the integration is enabled; disable it first.`,
    );
  }
}

function refuseWhileJob(state: SetupState, what: string): void {
  if (state.job) {
    const running = state.job.kind === 'rotation' ? 'a secret rotation' : `the ${STEP_TITLES[state.job.kind]} check`;
    throw new ActionRejected(REJECTION_CODES.BUSY, `Can't ${what} while ${running} is running; wait for it to finish.`);
  }
}

/** Which confirmation `confirmCodat` means now: the first entries, or the Production secret. */
function confirmTarget(state: SetupState, asked: StepId | undefined): 'codat_portal' | 'production_secret' {
  const secretAwaits = !!state.data.productionSecret && !state.data.productionSecretConfirmed && !state.job;
  const portalAwaits = !isDone(state, 'codat_portal');
  if (asked === 'production_secret' || (!asked && secretAwaits && !portalAwaits)) {
    if (!secretAwaits) {
      throw new ActionRejected(
        REJECTION_CODES.OUT_OF_ORDER,
        'There is no verified Production secret waiting to be confirmed; enter the Production secret first.',
      );
    }
    return 'production_secret';
  }
  if (!portalAwaits) {
    throw new ActionRejected(REJECTION_CODES.ALREADY_DONE, 'The Codat Portal entries are already confirmed.');
  }
  return 'codat_portal';
}

function touch(state: SetupState, now: string): void {
  state.version += 1;
  state.lastChangeAt = now;
  state.remindersSent = 0;
  state.currentStep = state.steps.find((s) => s.status !== 'done')?.id ?? null;
}

function mark(
  state: SetupState,
  id: StepId,
  status: StepState['status'],
  now: string,
  actor: ActorRef | undefined,
  detail: string,
  extra: { evidence?: Evidence; error?: DatedProblem } = {},
): void {
  const s = step(state, id);
  s.status = status;
  s.at = now;
  s.actor = actor;
  s.detail = detail;
  s.evidence = extra.evidence;
  s.error = extra.error;
}

/** Puts the steps that depend on changed input back to waiting. */
function reopen(state: SetupState, ids: StepId[], now: string, actor: ActorRef, why: string): void {
  for (const id of ids) {
    const s = step(state, id);
    if (s.status === 'waiting') continue;
    mark(state, id, 'waiting', now, actor, `Re-opened: ${why}. ${PERSON_ACTIONS[id]}`);
  }
}

/** The country codes a check in `environment` uses: the operator's choice, or Plaid's default there. */
export function countriesFor(data: SetupState['data'], environment: PlaidEnvironment): CountryCode[] {
  return data.requestedCountryCodes.length > 0 ? [...data.requestedCountryCodes] : [...DEFAULT_COUNTRIES[environment]];
}

function effectiveCountries(state: SetupState): void {
  state.data.countryCodes = countriesFor(state.data, state.data.environment);
}

type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never;

function newJob(state: SetupState, job: NewJob): Job {
  const created = { ...job, id: state.nextJobId } as Job;
  state.nextJobId += 1;
  state.job = created;
  return created;
}

/** Applies an action that validateAction accepted. */
export function applyAction<N extends ActionName>(state: SetupState, name: N, parsed: ParsedActionArgs<N>, now: string): void {
  const args = parsed as Record<string, unknown> & { actor: Actor };
  const by = actorRef(args.actor);
  switch (name as ActionName) {
    case 'confirmRedirect':
      mark(state, 'application', 'done', now, by, `Redirect URI ${REDIRECT_URI} confirmed as allowed in Plaid.`);
      break;
    case 'submitCredentials': {
      const clientId = args.clientId as string;
      const clientChanged = state.data.clientId !== undefined && state.data.clientId !== clientId;
      state.data.clientId = clientId;
      state.data.sandboxSecret = args.sandboxSecret as SecretRef;
      state.data.developmentSecret = args.developmentSecret as SecretRef | undefined;
      const dev = state.data.developmentSecret ? `, legacy Development secret ${state.data.developmentSecret.fingerprint}` : '';
      mark(
        state,
        'sandbox_credentials',
        'done',
        now,
        by,
        `client_id ${clientId}, Sandbox secret ${state.data.sandboxSecret.fingerprint}${dev}.`,
      );
      const dependants: StepId[] = ['sandbox_test', 'codat_portal', 'enablement'];
      if (clientChanged) {
        // A Production secret belongs to one client_id: a new client_id needs a new one.
        dependants.push('production_secret');
        state.data.productionSecret = undefined;
        state.data.productionSecretConfirmed = false;
      }
      reopen(state, dependants, now, by, `credentials changed by ${by.displayName}`);
      supersedeIfChanged(state, now, by);
      break;
    }
    case 'updateSettings': {
      const d = state.data;
      d.environment = args.environment as typeof d.environment;
      d.requestedCountryCodes = args.countryCodes as typeof d.requestedCountryCodes;
      d.syncMode = args.syncMode as typeof d.syncMode;
      d.linkCustomizationName = args.linkCustomizationName as string | undefined;
      effectiveCountries(state);
      mark(state, 'settings', 'done', now, by, describeSettings(state));
      reopen(state, ['sandbox_test', 'codat_portal', 'enablement'], now, by, `settings changed by ${by.displayName}`);
      supersedeIfChanged(state, now, by);
      break;
    }
    case 'runSandboxTest':
      newJob(state, { kind: 'sandbox_test' });
      mark(state, 'sandbox_test', 'in_progress', now, by, 'Running the Sandbox test against Plaid.');
      break;
    case 'confirmCodat': {
      const target = confirmTarget(state, args.step as StepId | undefined);
      if (target === 'codat_portal') {
        mark(state, 'codat_portal', 'done', now, by, 'Confirmed: the values are entered in the Codat Portal.');
      } else {
        state.data.productionSecretConfirmed = true;
        state.data.environment = 'production';
        effectiveCountries(state);
        mark(
          state,
          'production_secret',
          'done',
          now,
          by,
          `Production secret ${state.data.productionSecret?.fingerprint ?? ''} verified and entered in the Codat Portal; environment is now production.`,
          // What Plaid Production confirmed stays on the step.
          { evidence: step(state, 'production_secret').evidence },
        );
      }
      break;
    }
    case 'requestProduction': {
      const expiresAt = new Date(Date.parse(now) + state.options.approvalTimeoutMs).toISOString();
      const earlier = state.production;
      // A replaced request whose messages still show buttons is kept until they are closed.
      if (earlier?.messages?.length && !earlier.messagesClosed) state.earlierRequests = [...(state.earlierRequests ?? []), earlier];
      const number = state.nextRequestNumber ?? 1;
      state.nextRequestNumber = number + 1;
      state.production = {
        id: `pr-${number}`,
        subject: subjectOf(state),
        requestedBy: by,
        requestedAt: now,
        expiresAt,
        ...(args.note ? { note: args.note as string } : {}),
      };
      mark(state, 'production_request', 'done', now, by, `Production request ${state.production.id} by ${by.displayName}: ${describeSubject(state.production.subject)}.`);
      mark(
        state,
        'production_approval',
        'in_progress',
        now,
        undefined,
        `Request ${state.production.id} waits for an approver other than ${by.displayName}; it expires at ${expiresAt}.`,
      );
      break;
    }
    case 'approveProduction': {
      const request = state.production as NonNullable<SetupState['production']>;
      Object.assign(request, { decision: 'approved', decidedBy: by, decidedAt: now, reason: args.comment });
      mark(state, 'production_approval', 'done', now, by, `${request.id} approved by ${by.displayName}: ${describeSubject(request.subject)}.`);
      break;
    }
    case 'rejectProduction': {
      const request = state.production as NonNullable<SetupState['production']>;
      const reason = args.reason as string;
      Object.assign(request, { decision: 'rejected', decidedBy: by, decidedAt: now, reason });
      const problem: DatedProblem = {
        code: 'PRODUCTION_REJECTED',
        message: `${by.displayName} rejected the production request: ${reason}`,
        action: 'Address the reason, then request production again.',
        at: now,
      };
      mark(state, 'production_approval', 'failed', now, by, problem.message, { error: problem });
      mark(state, 'production_request', 'waiting', now, by, problem.action);
      state.lastError = { ...problem, step: 'production_approval' };
      break;
    }
    case 'submitProductionSecret': {
      const secret = args.secret as SecretRef;
      state.data.pendingProductionSecret = secret;
      newJob(state, { kind: 'production_secret', secret });
      mark(state, 'production_secret', 'in_progress', now, by, `Verifying Production secret ${secret.fingerprint} against Plaid Production.`);
      break;
    }
    case 'enable':
      state.enabled = true;
      mark(state, 'enablement', 'done', now, by, `Enabled by ${by.displayName}.`);
      break;
    case 'disable':
      state.enabled = false;
      step(state, 'enablement').detail = `Disabled by ${by.displayName}${args.reason ? `: ${args.reason as string}` : ''}.`;
      step(state, 'enablement').actor = by;
      step(state, 'enablement').at = now;
      break;
    case 'rotateSecret': {
      const secret = args.secret as SecretRef;
      const kind = args.kind as 'sandbox' | 'production';
      newJob(state, { kind: 'rotation', secretKind: kind, secret });
      state.rotation = { kind, status: 'in_progress', fingerprint: secret.fingerprint, actor: by, at: now };
      break;
    }
    case 'cancel':
      if (state.production && !state.production.decision) {
        Object.assign(state.production, { decision: 'superseded', decidedAt: now, reason: `setup cancelled by ${by.displayName}` });
      }
      state.status = 'cancelled';
      state.job = undefined;
      state.cancelled = { actor: by, at: now, ...(args.reason ? { reason: args.reason as string } : {}) };
      break;
  }
  // A new attempt at the step that last failed clears its error.
  const retried = { runSandboxTest: 'sandbox_test', submitProductionSecret: 'production_secret', rotateSecret: 'rotation', requestProduction: 'production_approval' }[name as string];
  if (retried && state.lastError?.step === retried) state.lastError = undefined;
  touch(state, now);
}

export function describeSettings(state: SetupState): string {
  const d = state.data;
  const countries =
    d.requestedCountryCodes.length > 0 ? d.countryCodes.join(',') : `${d.countryCodes.join(',')} (${d.environment} default)`;
  const link = d.linkCustomizationName ? `, Link customization "${d.linkCustomizationName}"` : '';
  return `Environment ${d.environment}, countries ${countries}, ${d.syncMode ?? 'continuous'} sync${link}.`;
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

/** Says on the job's step what the running check is doing now (the rotation has no step). */
export function noteJobProgress(state: SetupState, jobId: number, detail: string): void {
  const job = state.job;
  if (!job || job.id !== jobId || job.kind === 'rotation') return;
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
    case 'rotation': {
      const rotation = state.rotation as NonNullable<SetupState['rotation']>;
      rotation.at = now;
      if (outcome.ok) {
        rotation.status = 'done';
        if (job.secretKind === 'sandbox') state.data.sandboxSecret = job.secret;
        else state.data.productionSecret = job.secret;
      } else {
        rotation.status = 'failed';
        rotation.error = problem;
      }
      break;
    }
  }
  if (problem) state.lastError = { ...problem, step: job.kind === 'rotation' ? 'rotation' : job.kind };
  state.version += 1;
  state.currentStep = state.steps.find((s) => s.status !== 'done')?.id ?? null;
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

export function recordReminder(state: SetupState): void {
  state.remindersSent += 1;
}

/** An unanswered production request lapses; production can then be requested again. */
export function expireApproval(state: SetupState, now: string): void {
  const request = state.production as NonNullable<SetupState['production']>;
  request.decision = 'expired';
  request.decidedAt = now;
  const problem: DatedProblem = {
    code: 'APPROVAL_EXPIRED',
    message: `No approver decided on the production request by ${request.expiresAt}.`,
    action: 'Request production again, and ask an approver to decide.',
    at: now,
  };
  mark(state, 'production_approval', 'failed', now, undefined, problem.message, { error: problem });
  mark(state, 'production_request', 'waiting', now, undefined, problem.action);
  state.lastError = { ...problem, step: 'production_approval' };
  touch(state, now);
}

/** The state as the query returns it: a copy, with what to enter in the Codat Portal. */
export function publicView(state: SetupState): SetupView {
  return { ...structuredCloneJson(state), codatPortal: codatPortalEntries(state) };
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
