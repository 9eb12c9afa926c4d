/**
 * The setups as the bot and the CLI see them through Temporal: start one, read one, list
 * them, and send an action as an Update. Every start and action is signed (an actor
 * assertion, domain/assertion.ts) so the worker knows who acts. A refusal comes back as
 * ACTION_REJECTED with the validator's sentence, for the person who acted, and is recorded
 * in the security log: a refused Update never reaches history.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SecurityLog } from '../../audit/security-log';
import { START_ASSERTION, signAssertion } from '../../domain/assertion';
import { ERROR_CODES, PlaidSetupError, isPlaidSetupError } from '../../errors';
import { INVALID_START, searchAttributes, setupIdFromWorkflowId, slugify, stateQuery, updates, workflowIdFor, WORKFLOW_TYPE } from '../../shared/messages';
import { setupsQuery, type SetupFilter } from '../../shared/visibility';
import { headline } from '../../domain/headline';
import type { ActorRef, SetupOptions, SetupView } from '../../domain/state';
import type { SetupInput } from '../../workflows';
import { type ActionArgs, type ActionName } from '../../shared/actions';

export interface SetupClientOptions {
  /** The command people type where they are ('plaid-setup' or '/plaid-setup'), for sentences that say what to run. */
  command: string;
  security: SecurityLog;
  /** PLAID_SETUP_ASSERTION_KEY: what the worker verifies actors with. */
  assertionKey: Buffer;
  /**
   * How long an action or a read waits for the workflow's answer. A worker answers in well
   * under a second, so silence means none is running: an action's outcome is then unknown,
   * not refused, and a read says so rather than hang (a query waits for a worker).
   */
  updateTimeoutMs?: number;
}

const DEFAULT_UPDATE_TIMEOUT_MS = 30_000;

/** Who acts, beyond the actor in the arguments: the Slack user groups they were found in. */
export interface ActOptions {
  /** Makes a repeated delivery idempotent; a fresh id is used when absent. */
  updateId?: string;
  groups?: string[];
  /** Said too when the outcome is unknown, e.g. that a secret the action carries stays in the vault. */
  ifUnknown?: string;
}

/** A setup as the listing shows it, without querying its workflow. */
export interface SetupSummary {
  setupId: string;
  status: string;
  step: string | null;
  environment: string | null;
  enabled: boolean;
  startedAt: string;
}

/**
 * The setup id a name people type maps to; a name with nothing usable in it is refused
 * without repeating it: the bot shows this in Slack, where `<!here>` in it would be a mention.
 */
export function setupIdOf(name: string): string {
  const id = slugify(name);
  if (!id) {
    throw new PlaidSetupError(
      ERROR_CODES.INPUT_INVALID,
      'That is not a usable setup name: use 1-48 letters, digits and dashes, starting and ending with a letter or digit.',
    );
  }
  return id;
}

export class SetupClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly options: SetupOptions,
    private readonly caller: SetupClientOptions,
  ) {}

  async start(setupId: string, name: string, createdBy: ActorRef, slack?: { channel: string }, groups: string[] = []): Promise<void> {
    const unsigned: SetupInput = { setupId, name, createdBy, options: this.options, ...(slack ? { slack } : {}) };
    const input: SetupInput = signAssertion(this.caller.assertionKey, { update: START_ASSERTION, setupId }, { ...unsigned }, { groups });
    let handle: WorkflowHandle;
    try {
      handle = await this.client.workflow.start(WORKFLOW_TYPE, {
        workflowId: workflowIdFor(setupId),
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const current = await this.view(setupId);
      const where = current.currentStep ? `next step: ${current.currentStep}` : headline(current).toLowerCase();
      throw new PlaidSetupError(ERROR_CODES.SETUP_EXISTS, `A setup named "${setupId}" already exists (${where}). See: ${this.caller.command} status ${setupId}`);
    }
    await this.startAccepted(handle, setupId, createdBy);
  }

  /**
   * The worker checks a start (who, options) in the workflow's first task and ends the
   * workflow when it refuses; the first query waits for that task, so the refusal reaches
   * the person now, in the workflow's words, and is recorded.
   */
  private async startAccepted(handle: WorkflowHandle, setupId: string, createdBy: ActorRef): Promise<void> {
    try {
      await this.answered(setupId, () => handle.query(stateQuery));
      return;
    } catch (queryError) {
      if (isPlaidSetupError(queryError, ERROR_CODES.SETUP_NOT_ANSWERING)) {
        throw new PlaidSetupError(
          ERROR_CODES.OUTCOME_UNKNOWN,
          `${setupId} was sent to Temporal but no worker took it up; is a worker running (npm start)? The setup starts once one does. Check with: ${this.caller.command} status ${setupId}`,
          { cause: queryError },
        );
      }
      const failure = await handle.result().then(
        () => undefined,
        (err: unknown) => (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure && err.cause.type === INVALID_START ? err.cause : undefined),
      );
      if (!failure) throw queryError;
      await this.caller.security.record({ kind: 'rejected', actor: createdBy.id, action: 'start', setupId, detail: failure.message });
      throw new PlaidSetupError(ERROR_CODES.ACTION_REJECTED, failure.message);
    }
  }

  async view(setupId: string): Promise<SetupView> {
    try {
      return (await this.answered(setupId, () => this.client.workflow.getHandle(workflowIdFor(setupId)).query(stateQuery))) as SetupView;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw this.notFound(setupId);
      throw err;
    }
  }

  /** Runs a read of one setup within the answer timeout; past it, says no worker answered. */
  private async answered<T>(setupId: string, read: () => Promise<T>): Promise<T> {
    const timeoutMs = this.caller.updateTimeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS;
    try {
      return await this.client.connection.withDeadline(Date.now() + timeoutMs, read);
    } catch (err) {
      // A deadline reached under load can surface as CANCELLED; the SDK's own Update path
      // treats the two alike (WorkflowUpdateRPCTimeoutOrCancelledError), and so does act().
      if (!isGrpcDeadlineError(err) && !isGrpcCancelledError(err)) throw err;
      throw new PlaidSetupError(ERROR_CODES.SETUP_NOT_ANSWERING, `${setupId} did not answer within ${timeoutMs / 1000} s; is a worker running (npm start)? Nothing was changed.`, { cause: err });
    }
  }

  /**
   * The running setups on this task queue, newest first (at most `limit`), as their
   * current views. Closed ones are left out: querying them means replaying their history.
   */
  async list(limit = 50): Promise<SetupView[]> {
    const views: SetupView[] = [];
    for await (const wf of this.client.workflow.list({ query: setupsQuery({ taskQueue: this.taskQueue, running: true }) })) {
      if (views.length >= limit) break;
      try {
        views.push((await this.answered(setupIdFromWorkflowId(wf.workflowId) ?? wf.workflowId, () => this.client.workflow.getHandle(wf.workflowId, wf.runId).query(stateQuery))) as SetupView);
      } catch (err) {
        // With no worker every setup would wait out the timeout in turn: say so once.
        if (isPlaidSetupError(err, ERROR_CODES.SETUP_NOT_ANSWERING)) throw err;
        // It ended between the listing and the query (continue-as-new, cancel): skip it.
      }
    }
    return views;
  }

  /** Running setups on this task queue by the step they wait on, from the visibility store (for the setups gauge). */
  async countByStep(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const row of await this.summaries({ taskQueue: this.taskQueue, running: true })) counts.set(row.step ?? 'unknown', (counts.get(row.step ?? 'unknown') ?? 0) + 1);
    return counts;
  }

  /** Every setup the filter selects, open or closed, as the visibility store shows it. */
  async summaries(filter: SetupFilter): Promise<SetupSummary[]> {
    const rows: SetupSummary[] = [];
    for await (const wf of this.client.workflow.list({ query: setupsQuery(filter) })) {
      rows.push({
        setupId: setupIdFromWorkflowId(wf.workflowId) ?? wf.workflowId,
        status: wf.status.name,
        step: wf.typedSearchAttributes.get(searchAttributes.step) ?? null,
        environment: wf.typedSearchAttributes.get(searchAttributes.environment) ?? null,
        enabled: wf.typedSearchAttributes.get(searchAttributes.enabled) ?? false,
        startedAt: wf.startTime.toISOString(),
      });
    }
    return rows;
  }

  /**
   * Sends an action, signed for this update id. The id makes a repeated delivery
   * idempotent: Temporal applies an Update id once per run and answers a repeat with the
   * first result.
   */
  async act<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>, options: ActOptions = {}): Promise<SetupView> {
    const updateId = options.updateId ?? `${action}-${randomUUID()}`;
    const signed = signAssertion(this.caller.assertionKey, { update: action, setupId, updateId }, args as Record<string, unknown>, { groups: options.groups ?? [] });
    const timeoutMs = this.caller.updateTimeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS;
    try {
      return (await this.client.connection.withDeadline(Date.now() + timeoutMs, () =>
        this.client.workflow.getHandle(workflowIdFor(setupId)).executeUpdate(updates[action], { args: [signed as unknown as ActionArgs<N>], updateId }),
      )) as SetupView;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw this.notFound(setupId);
      if (err instanceof WorkflowUpdateFailedError) {
        if (!(err.cause instanceof ApplicationFailure)) throw err;
        const actor = (args as { actor: { id: string } }).actor;
        await this.caller.security.record({ kind: 'rejected', actor: actor.id, action, setupId, detail: err.cause.message });
        throw new PlaidSetupError(ERROR_CODES.ACTION_REJECTED, err.cause.message);
      }
      // Sent, but no answer: Temporal may still deliver it, so nothing may be undone.
      const why =
        err instanceof WorkflowUpdateRPCTimeoutOrCancelledError
          ? `the setup did not answer within ${timeoutMs / 1000} s; is a worker running (npm start)?`
          : 'the call to Temporal failed before an answer came back.';
      throw new PlaidSetupError(
        ERROR_CODES.OUTCOME_UNKNOWN,
        `${action} was sent to ${setupId} but ${why} It may still be applied.${options.ifUnknown ? ` ${options.ifUnknown}` : ''} Check with: ${this.caller.command} status ${setupId} (if it does not show the action, do it again).`,
        { cause: err },
      );
    }
  }

  notFound(setupId: string): PlaidSetupError {
    return new PlaidSetupError(ERROR_CODES.SETUP_NOT_FOUND, `There is no setup named "${setupId}". Start one with: ${this.caller.command} start ${setupId}`);
  }
}
