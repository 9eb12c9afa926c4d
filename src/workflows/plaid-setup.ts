import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  sleep,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy, UpdateDefinition } from '@temporalio/common';
import { CHECK_FAILED, CHECK_UNAVAILABLE, SLACK_REFUSED, VAULT_ERROR, type SetupActivities } from '../activities/contract';
import { START_ASSERTION } from '../domain/assertion';
import { ACTION_REJECTED, INVALID_START, driftCheckSignal, searchAttributes, setupIdFromWorkflowId, stateQuery, updates } from '../shared/messages';
import { ActorSchema, ROLE_VARIABLES, SetupOptionsSchema, check, type PlaidEnvironment, type SecretRef } from '../shared/schemas';
import type { ActorRef, Evidence, Job, MessageRef, Notification, Problem, ProductionRequest, SetupOptions, SetupOutcome, SetupState } from '../domain/state';
import { ActionRejected } from '../domain/rejections';
import { countriesFor } from '../domain/steps';
import { stepKeyword } from '../domain/headline';
import {
  applyAction,
  authorize,
  approvalExpiresAt,
  expireApproval,
  finishJob,
  initialState,
  nextReminderAt,
  noteJobProgress,
  parseArgs,
  publicView,
  escalationDueAt,
  recordCodatCheck,
  startDriftCheck,
  recordEscalation,
  recordReminder,
  validateAction,
  waitingOn,
} from '../domain/checklist';
import { WORKER_POLICY } from './worker-policy';
import { ACTION_NAMES, START_ROLE, type ActionName } from '../shared/actions';

export interface SetupInput {
  setupId: string;
  name: string;
  createdBy: ActorRef;
  options: SetupOptions;
  /** Where the setup was started in Slack: its checklist message goes there. */
  slack?: { channel: string };
  /** Carried across continue-as-new; refused in any other start. */
  state?: SetupState;
  /** Signs `createdBy` for this start (domain/assertion.ts); the creator must be an operator. */
  assertion?: unknown;
}

/**
 * Checks a start input before anything else runs: the setup id is the workflow id's, a
 * carried state only comes from continue-as-new of this same workflow, and a fresh start is
 * signed by an operator and has bounded options. The failure ends the workflow at once.
 */
function checkStart(input: SetupInput): string {
  const info = workflowInfo();
  const refuse = (message: string) => ApplicationFailure.create({ type: INVALID_START, message, nonRetryable: true });
  const setupId = setupIdFromWorkflowId(info.workflowId);
  if (!setupId || input.setupId !== setupId) throw refuse(`The setup id must be the workflow id's (${info.workflowId}); start setups with plaid-setup.`);
  if (input.state !== undefined) {
    if (!info.continuedFromExecutionRunId || input.state.setupId !== setupId) {
      throw refuse('A start input may carry a state only when the workflow continues as new; start setups with plaid-setup.');
    }
    return setupId;
  }
  const options = check(SetupOptionsSchema, input.options);
  if (!options.ok) throw refuse(`Invalid options: ${options.message}.`);
  const creator = check(ActorSchema, input.createdBy);
  if (!creator.ok || typeof input.name !== 'string' || input.name.length === 0 || input.name.length > 100) {
    throw refuse('The start input needs a name (at most 100 characters) and a creator; start setups with plaid-setup.');
  }
  try {
    // Judged at the moment Temporal accepted the start (the execution's start time, which
    // the server sets), not when a busy worker first runs it: behind a backlog that came
    // minutes later and refused valid starts as expired. A start input sent again gets a new
    // start time, so an old assertion is still refused.
    const roles = authorize({ policy: WORKER_POLICY, now: info.startTime.getTime() }, START_ASSERTION, setupId, creator.value.id, input);
    if (!roles.includes(START_ROLE)) {
      throw refuse(`${creator.value.displayName} (${creator.value.id}) is not an ${START_ROLE}; only people listed in ${ROLE_VARIABLES[START_ROLE]} can start a setup.`);
    }
  } catch (err) {
    if (err instanceof ActionRejected) throw refuse(err.message);
    throw err;
  }
  return setupId;
}

// Plaid checks: a refusal (CHECK_FAILED) is final; anything else is retried with backoff.
const checkRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [CHECK_FAILED, VAULT_ERROR],
};

// Checks heartbeat every few seconds (activities/index.ts), so a killed worker is noticed in
// 15 s rather than at the start-to-close timeout, and the retry runs on another worker (the
// smoke test's retry first removes the Item the dead attempt created).
const CHECK_HEARTBEAT_TIMEOUT = '15 seconds';

const checks = proxyActivities<Pick<SetupActivities, 'verifyCredentials' | 'checkLinkConfiguration'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: CHECK_HEARTBEAT_TIMEOUT,
  retry: checkRetry,
});

const smoke = proxyActivities<Pick<SetupActivities, 'runSandboxSmokeTest'>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: CHECK_HEARTBEAT_TIMEOUT,
  retry: checkRetry,
});

const codat = proxyActivities<Pick<SetupActivities, 'readCodatIntegration' | 'writeCodatCredentials'>>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: CHECK_HEARTBEAT_TIMEOUT,
  // A PUT of the same credentials: safe to send again.
  retry: checkRetry,
});

/** Marks histories that read the integration back from Codat; older ones replay without it. */
const CODAT_READBACK = 'codat-readback';

/**
 * Marks histories whose timers are started only when needed: one alarm for the deadlines,
 * re-armed only when the earliest moves earlier, and a checklist throttle only when a change
 * is waiting. Older histories replay with a timer started and cancelled on every action and
 * one after every checklist update, which cost a workflow task each and showed in every
 * update's round trip (issue 14).
 */
const LAZY_TIMERS = 'lazy-timers';

// Slack: rate limits come back as retryable failures (with Slack's Retry-After as the next
// delay); a refusal such as a deleted channel is final. An outage is waited out, retrying at
// least every 30 s, so messages catch up soon after Slack is back: the checklist and the
// approval buttons for as long as it takes (they run beside the main loop), a notification
// for up to an hour (the main loop waits for it).
const slackRetry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [SLACK_REFUSED] };

const notifier = proxyActivities<Pick<SetupActivities, 'notify'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: slackRetry,
});

const slack = proxyActivities<Pick<SetupActivities, 'publishChecklist' | 'closeApprovalRequests'>>({
  startToCloseTimeout: '30 seconds',
  retry: slackRetry,
});

/** The checklist message is updated at most about once a second; changes in between coalesce. */
const PUBLISH_INTERVAL_MS = 1000;

const nowIso = () => new Date().toISOString();

function failureOf(err: unknown, service: 'Plaid' | 'Codat' = 'Plaid'): Problem {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  const tryAgain = `Try again in a few minutes; if it keeps failing, check ${service}'s status page and the worker's logs.`;
  if (cause instanceof ApplicationFailure && [CHECK_FAILED, CHECK_UNAVAILABLE, VAULT_ERROR].includes(cause.type ?? '')) {
    const detail = cause.details?.[0] as Partial<Problem> | undefined;
    if (detail && typeof detail.code === 'string' && typeof detail.message === 'string' && typeof detail.action === 'string') {
      // The attempt's advice ("retried automatically") no longer holds once Temporal gave up.
      const gaveUp = cause.type === CHECK_UNAVAILABLE;
      return {
        code: detail.code,
        message: `${detail.message}${gaveUp ? ' Gave up after several attempts.' : ''}`,
        action: gaveUp ? tryAgain : detail.action,
        ...(typeof detail.requestId === 'string' ? { requestId: detail.requestId } : {}),
      };
    }
  }
  return {
    code: `${service.toUpperCase()}_UNAVAILABLE`,
    message: `The check did not get an answer from ${service} after several attempts.`,
    action: tryAgain,
  };
}

/**
 * One timer for the earliest deadline. Actions mostly move deadlines later (a reminder
 * counts from the last change), which needs no new timer: the armed one rings early and
 * the loop arms it again. Only an earlier deadline cancels it and starts another.
 */
class Alarm {
  rang = false;
  private armed: { at: number; scope: CancellationScope } | undefined;

  arm(at: number): void {
    if (this.armed && this.armed.at <= at) return;
    this.disarm();
    const scope = new CancellationScope();
    this.armed = { at, scope };
    scope.run(() => sleep(Math.max(1, at - Date.now()))).then(
      () => {
        if (this.armed?.scope === scope) this.armed = undefined;
        this.rang = true;
      },
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  }

  disarm(): void {
    this.armed?.scope.cancel();
    this.armed = undefined;
  }
}

export async function plaidSetupWorkflow(input: SetupInput): Promise<SetupOutcome> {
  // Like an update validator, the start check decides when the start happens; replaying a
  // history (whose assertion may be signed with a key since rotated out) skips it. A check
  // that passed produced no command, so both paths replay the same history.
  const setupId = workflowInfo().unsafe.isReplaying ? input.setupId : checkStart(input);
  const state: SetupState =
    input.state ??
    initialState({
      setupId,
      name: input.name,
      createdBy: input.createdBy,
      createdAt: nowIso(),
      options: input.options,
    });
  if (input.slack && !state.slack) state.slack = { channel: input.slack.channel };
  const outbox: Notification[] = [];
  let jobScope: CancellationScope | undefined;
  const lazyTimers = patched(LAZY_TIMERS);

  setHandler(stateQuery, () => publicView(state));
  // From the drift watch (workflows/drift-watch.ts): check the live keys now, if enabled and idle.
  setHandler(driftCheckSignal, () => {
    startDriftCheck(state);
  });

  for (const name of ACTION_NAMES) {
    registerAction(name);
  }

  function registerAction<N extends ActionName>(name: N): void {
    setHandler(
      updates[name] as unknown as UpdateDefinition<SetupState, [unknown]>,
      (args: unknown) => {
        const parsed = parseArgs(name, args);
        applyAction(state, name, parsed, nowIso());
        if (name === 'requestProduction' && state.production) {
          outbox.push({
            kind: 'approval_requested',
            setupId: state.setupId,
            requestId: state.production.id,
            requestedBy: state.production.requestedBy,
            expiresAt: state.production.expiresAt,
          });
        }
        if (name === 'cancel') jobScope?.cancel();
        return publicView(state);
      },
      {
        validator: (args: unknown) => {
          try {
            const updateId = currentUpdateInfo()?.id;
            validateAction(state, name, args, { policy: WORKER_POLICY, now: Date.now(), ...(updateId ? { updateId } : {}) });
          } catch (err) {
            if (err instanceof ActionRejected) {
              throw ApplicationFailure.create({ type: ACTION_REJECTED, message: err.message, details: [err.code], nonRetryable: true });
            }
            throw err;
          }
        },
      },
    );
  }

  let indexed = '';
  function syncSearchAttributes(): void {
    const stepValue = stepKeyword(state);
    const next = JSON.stringify([stepValue, state.data.environment, state.enabled]);
    if (next === indexed) return;
    indexed = next;
    upsertSearchAttributes([
      { key: searchAttributes.step, value: stepValue },
      { key: searchAttributes.environment, value: state.data.environment },
      { key: searchAttributes.enabled, value: state.enabled },
    ]);
  }

  /** Reads the integration back from Codat after enable, disable or checkCodat, beside any job. */
  async function confirmWithCodat(check: NonNullable<SetupState['codatCheck']>): Promise<void> {
    if (!patched(CODAT_READBACK)) {
      state.codatCheck = undefined;
      return;
    }
    let outcome: { ok: true; evidence: Evidence } | { ok: false; failure: Problem };
    try {
      outcome = { ok: true, evidence: await codat.readCodatIntegration({ setupId: state.setupId }) };
    } catch (err) {
      outcome = { ok: false, failure: failureOf(err, 'Codat') };
    }
    // A newer enable, disable or check replaced this one while Codat answered: that one runs next.
    if (state.codatCheck === check) recordCodatCheck(state, check, outcome, nowIso());
  }

  async function runJob(job: Job): Promise<void> {
    const scope = new CancellationScope();
    jobScope = scope;
    let outcome: { ok: true; evidence: Evidence } | { ok: false; failure: Problem };
    try {
      const evidence = await scope.run(() => startCheck(job));
      outcome = { ok: true, evidence };
    } catch (err) {
      if (isCancellation(err)) return;
      outcome = { ok: false, failure: failureOf(err) };
    } finally {
      jobScope = undefined;
    }
    const applied = finishJob(state, job.id, outcome, nowIso());
    if (applied && job.kind === 'drift' && !outcome.ok) {
      // The alert gives the same advice as the checklist: rotate, not re-enter the step's secret.
      outbox.push({ kind: 'drift_failed', setupId: state.setupId, environment: job.environment, problem: state.attention ?? outcome.failure });
    }
  }

  async function startCheck(job: Job): Promise<Evidence> {
    const d = state.data;
    const clientId = d.clientId as string;
    // The keys in one environment: a Production secret, a migration, a rotation and its retirement, the drift watch.
    const verify = (environment: PlaidEnvironment, secret: SecretRef) =>
      checks.verifyCredentials({ setupId: state.setupId, environment, clientId, secret, countryCodes: countriesFor(d, environment) });
    switch (job.kind) {
      case 'sandbox_test': {
        const creds = { setupId: state.setupId, clientId, secret: d.sandboxSecret! };
        const countryCodes = countriesFor(d, 'sandbox');
        noteJobProgress(state, job.id, 'Checking the Sandbox keys with Plaid (1 of 3).');
        const keys = await checks.verifyCredentials({ ...creds, environment: 'sandbox', countryCodes });
        noteJobProgress(state, job.id, 'Checking the Link configuration: redirect URI, countries, customization (2 of 3).');
        const link = await checks.checkLinkConfiguration({
          ...creds,
          environment: 'sandbox',
          countryCodes,
          ...(d.linkCustomizationName ? { linkCustomizationName: d.linkCustomizationName } : {}),
        });
        noteJobProgress(state, job.id, 'Creating, reading and removing a Sandbox Item at First Platypus Bank (3 of 3).');
        const item = await smoke.runSandboxSmokeTest(creds);
        return { ...keys, ...link, ...item };
      }
      case 'production_secret':
      case 'migration':
        return verify('production', job.secret);
      case 'rotation':
      case 'retire':
        return verify(job.secretKind, job.secret);
      case 'drift':
        return verify(job.environment, job.secret);
      case 'codat_write':
        return codat.writeCodatCredentials({ setupId: state.setupId, clientId, kind: job.secretKind, secret: job.secret });
    }
  }

  /** Messages that carry a request's Approve / Reject buttons are kept, to close them once it is decided. */
  function trackApprovalMessages(requestId: string, messages: MessageRef[]): void {
    const request = [state.production, ...(state.earlierRequests ?? [])].find((r) => r?.id === requestId);
    if (!request) {
      log.warn('approval messages for a request no longer tracked', { requestId, messages: messages.length });
      return;
    }
    request.messages = [...(request.messages ?? []), ...messages];
    request.messagesClosed = false;
  }

  async function deliver(): Promise<void> {
    while (outbox.length > 0) {
      const notification = outbox.shift() as Notification;
      try {
        const { messages } = await notifier.notify({ notification, view: publicView(state) });
        const requestId =
          notification.kind === 'approval_requested' || notification.kind === 'reminder' || notification.kind === 'approval_escalated' ? notification.requestId : undefined;
        if (requestId && messages.length > 0) trackApprovalMessages(requestId, messages);
      } catch (err) {
        // A lost notification must not stop the checklist; the failure stays in history.
        log.warn('notification failed', { kind: notification.kind, error: String(err) });
      }
    }
  }

  // The version last shown in Slack. A new run (continue-as-new) shows its state once.
  let published = 0;
  let stopPublishing = false;
  let lastPublishedAt = Number.NEGATIVE_INFINITY;
  const needsPublish = () => !!state.slack && state.version !== published;
  /** Decided, expired or superseded requests whose messages still show buttons. */
  const requestsToClose = (): ProductionRequest[] =>
    [state.production, ...(state.earlierRequests ?? [])].filter(
      (r): r is ProductionRequest => !!r?.decision && !r.messagesClosed && (r.messages?.length ?? 0) > 0,
    );
  const approvalsToClose = () => requestsToClose().length > 0;

  /**
   * Keeps Slack current beside the main loop: the checklist message (changes coalesce) and,
   * once a production request is decided, expired or superseded, every message sent with
   * its buttons.
   */
  async function publisher(): Promise<void> {
    for (;;) {
      await condition(() => needsPublish() || approvalsToClose() || stopPublishing);
      if (!needsPublish() && !approvalsToClose()) return;
      // Within a second of the last update, wait out the rest of it: changes coalesce.
      const wait = lastPublishedAt + PUBLISH_INTERVAL_MS - Date.now();
      if (lazyTimers && wait > 0 && !stopPublishing) await sleep(wait);
      const version = state.version;
      try {
        if (needsPublish()) {
          const target = state.slack as NonNullable<SetupState['slack']>;
          const ref = await slack.publishChecklist({ channel: target.channel, ...(target.ts ? { ts: target.ts } : {}), view: publicView(state) });
          target.ts = ref.ts;
        }
        for (const request of requestsToClose()) {
          await slack.closeApprovalRequests({ messages: request.messages ?? [], request, view: publicView(state) });
          request.messagesClosed = true;
        }
      } catch (err) {
        // Slack being down must not stop the checklist; the next change tries again.
        log.warn('Slack update failed', { error: String(err) });
        for (const request of requestsToClose()) request.messagesClosed = true;
      }
      // Replaced requests are kept only until their messages are closed.
      if (state.earlierRequests?.every((r) => r.messagesClosed)) state.earlierRequests = undefined;
      published = version;
      if (lazyTimers) lastPublishedAt = Date.now();
      else if (!stopPublishing) await sleep(PUBLISH_INTERVAL_MS);
    }
  }
  const publishing = publisher();

  const alarm = new Alarm();

  function fireTimers(): void {
    const now = Date.now();
    const expiry = approvalExpiresAt(state);
    if (expiry !== undefined && expiry <= now) {
      const request = state.production!;
      expireApproval(state, nowIso());
      outbox.push({
        kind: 'approval_expired',
        setupId: state.setupId,
        requestId: request.id,
        requestedBy: request.requestedBy,
        requestedAt: request.requestedAt,
      });
      return;
    }
    const escalation = escalationDueAt(state);
    if (escalation !== undefined && escalation <= now) {
      const request = state.production!;
      recordEscalation(state, nowIso());
      outbox.push({
        kind: 'approval_escalated',
        setupId: state.setupId,
        requestId: request.id,
        requestedBy: request.requestedBy,
        requestedAt: request.requestedAt,
        expiresAt: request.expiresAt,
      });
      return;
    }
    const due = nextReminderAt(state);
    const waiting = waitingOn(state);
    if (due !== undefined && due <= now && waiting) {
      recordReminder(state);
      outbox.push({
        kind: 'reminder',
        setupId: state.setupId,
        step: waiting.step,
        waitingOn: waiting.who,
        idleSince: state.lastChangeAt,
        reminderNumber: state.remindersSent,
        ...(waiting.who === 'approvers' && state.production ? { requestId: state.production.id } : {}),
      });
    }
  }

  syncSearchAttributes();
  while (state.status === 'active') {
    if (state.job) {
      await runJob(state.job);
    } else if (state.codatCheck) {
      await confirmWithCodat(state.codatCheck);
    } else {
      const seen = state.version;
      const deadlines = [nextReminderAt(state), approvalExpiresAt(state), escalationDueAt(state)].filter((t): t is number => t !== undefined);
      const earliest = deadlines.length > 0 ? Math.min(...deadlines) : undefined;
      const wake = () =>
        state.version !== seen ||
        state.job !== undefined ||
        state.codatCheck !== undefined ||
        outbox.length > 0 ||
        state.status !== 'active' ||
        workflowInfo().continueAsNewSuggested;
      if (lazyTimers) {
        if (earliest !== undefined) alarm.arm(earliest);
        await condition(() => wake() || alarm.rang);
        // The alarm may ring for a deadline an action has since moved later: fireTimers
        // acts only on what is due, and the next turn arms the alarm again.
        if (alarm.rang) {
          alarm.rang = false;
          fireTimers();
        }
      } else if (earliest === undefined) {
        await condition(wake);
      } else if (!(await condition(wake, Math.max(1, earliest - Date.now())))) {
        fireTimers();
      }
    }
    syncSearchAttributes();
    if (outbox.length > 0) await deliver();
    if (state.status === 'active' && !state.job && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await condition(() => !needsPublish() && !approvalsToClose());
      if (!state.job && outbox.length === 0 && state.status === 'active') {
        await continueAsNew<typeof plaidSetupWorkflow>({ ...input, state });
      }
    }
  }
  syncSearchAttributes();
  alarm.disarm();
  await condition(allHandlersFinished);
  // Show the final state (cancelled) before the workflow ends.
  stopPublishing = true;
  await publishing;
  return { setupId: state.setupId, status: state.status, enabled: state.enabled, version: state.version };
}
