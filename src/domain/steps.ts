/**
 * The steps of the checklist and the small moves every action makes on them: what each
 * step asks of a person, marking and re-opening steps, the order they must be done in,
 * the country defaults, and the job a check runs as.
 */
import {
  DEFAULT_COUNTRIES,
  REDIRECT_URI,
  STEP_IDS,
  STEP_TITLES,
  type Actor,
  type CountryCode,
  type PlaidEnvironment,
  type StepId,
} from '../shared/schemas';
import { ActionRejected, REJECTION_CODES } from './rejections';
import type { ActorRef, DatedProblem, Evidence, Job, SetupState, StepState } from './state';

export const PERSON_ACTIONS: Record<StepId, string> = {
  application: `Add ${REDIRECT_URI} under Plaid Dashboard > Team Settings > API > Allowed redirect URIs, then confirm.`,
  sandbox_credentials: 'Enter the client_id and Sandbox secret from Plaid Dashboard > Team Settings > Keys.',
  settings: 'Choose the country codes, the sync mode and, optionally, a Link customization.',
  sandbox_test: 'Run the Sandbox test.',
  codat_portal:
    'Enter these values in the Codat Portal under Settings > Integrations > Banking > Plaid, then confirm. Codat reads bank data through one banking integration at a time: disable any other one there before enabling Plaid.',
  production_request:
    'Request production access in the Plaid Dashboard ("Migrate to Production"), then request production approval here.',
  production_approval: 'An approver other than the requester approves or rejects the production request.',
  production_secret: 'Enter the Production secret from Plaid Dashboard > Team Settings > Keys.',
  enablement: 'Enable the integration.',
};

export function actorRef(actor: Actor): ActorRef {
  return { id: actor.id, displayName: actor.displayName, source: actor.source };
}

export function step(state: SetupState, id: StepId): StepState {
  const found = state.steps.find((s) => s.id === id);
  if (!found) throw new Error(`unknown step ${id}`);
  return found;
}

export const isDone = (state: SetupState, id: StepId) => step(state, id).status === 'done';

/** The first step before `id` that is not done, if any. */
function blockerOf(state: SetupState, id: StepId): StepState | undefined {
  const index = STEP_IDS.indexOf(id);
  return state.steps.slice(0, index).find((s) => s.status !== 'done');
}

export function requireBefore(state: SetupState, id: StepId, what: string): void {
  const blocker = blockerOf(state, id);
  if (blocker) {
    throw new ActionRejected(
      REJECTION_CODES.OUT_OF_ORDER,
      `Can't ${what} yet: step "${blocker.title}" is ${blocker.status.replace('_', ' ')}. ${PERSON_ACTIONS[blocker.id]}`,
    );
  }
}

export function refuseWhileEnabled(state: SetupState, what: string): void {
  if (state.enabled) {
    throw new ActionRejected(
      REJECTION_CODES.NOT_ALLOWED_NOW,
      `Can't ${what} while the integration is enabled; disable it first.`,
    );
  }
}

/** What the jobs that are not a step's own check are called while they run. */
const OTHER_JOBS: Record<Exclude<Job['kind'], 'sandbox_test' | 'production_secret'>, string> = {
  rotation: 'a secret rotation',
  retire: 'a secret rotation',
  drift: 'the check of the live keys',
  migration: 'the migration to Production',
  codat_write: 'the write to Codat',
};

export function refuseWhileJob(state: SetupState, what: string): void {
  if (state.job) {
    const kind = state.job.kind;
    const running = kind === 'sandbox_test' || kind === 'production_secret' ? `the ${STEP_TITLES[kind]} check` : OTHER_JOBS[kind];
    throw new ActionRejected(REJECTION_CODES.BUSY, `Can't ${what} while ${running} is running; wait for it to finish.`);
  }
}

/**
 * An action that enters a step's input: the step is reached, and the input is not in use
 * (the integration enabled on it, or a check running). `change` and `another` word the
 * refusals when they differ from `enter`.
 */
export function requireInputStep(state: SetupState, id: StepId, enter: string, change = enter, another = change): void {
  requireBefore(state, id, enter);
  refuseWhileEnabled(state, change);
  refuseWhileJob(state, another);
}

/** Which confirmation `confirmCodat` means now: the first entries, or the Production secret. */
export function confirmTarget(state: SetupState, asked: StepId | undefined): 'codat_portal' | 'production_secret' {
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

export function touch(state: SetupState, now: string): void {
  state.version += 1;
  state.lastChangeAt = now;
  state.remindersSent = 0;
  state.currentStep = state.steps.find((s) => s.status !== 'done')?.id ?? null;
}

export function mark(
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
export function reopen(state: SetupState, ids: StepId[], now: string, actor: ActorRef, why: string): void {
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

export function effectiveCountries(state: SetupState): void {
  state.data.countryCodes = countriesFor(state.data, state.data.environment);
}

type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never;

export function newJob(state: SetupState, job: NewJob): Job {
  const created = { ...job, id: state.nextJobId } as Job;
  state.nextJobId += 1;
  state.job = created;
  return created;
}

export function describeSettings(state: SetupState): string {
  const d = state.data;
  const countries =
    d.requestedCountryCodes.length > 0 ? d.countryCodes.join(',') : `${d.countryCodes.join(',')} (${d.environment} default)`;
  const link = d.linkCustomizationName ? `, Link customization "${d.linkCustomizationName}"` : '';
  return `Environment ${d.environment}, countries ${countries}, ${d.syncMode ?? 'continuous'} sync${link}.`;
}
