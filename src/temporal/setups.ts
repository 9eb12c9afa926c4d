/**
 * The setups as the bot and the CLI see them through Temporal: start one, read one, list
 * them, and send an action as an Update. A refusal comes back as ACTION_REJECTED with the
 * validator's sentence, for the person who acted, and is recorded in the security log:
 * a refused Update never reaches history.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SecurityLog } from '../audit/security-log';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { stateQuery, updates, workflowIdFor, WORKFLOW_TYPE } from '../shared/messages';
import type { ActionArgs, ActionName } from '../shared/schemas';
import type { ActorRef, SetupOptions, SetupView } from '../shared/state';
import type { SetupInput } from '../workflows';

export interface SetupClientOptions {
  /** The command people type where they are ('plaid-setup' or '/plaid-setup'), for sentences that say what to run. */
  command: string;
  security: SecurityLog;
}

export class SetupClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly options: SetupOptions,
    private readonly caller: SetupClientOptions,
  ) {}

  async start(setupId: string, name: string, createdBy: ActorRef, slack?: { channel: string }): Promise<void> {
    const input: SetupInput = { setupId, name, createdBy, options: this.options, ...(slack ? { slack } : {}) };
    try {
      await this.client.workflow.start(WORKFLOW_TYPE, {
        workflowId: workflowIdFor(setupId),
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const current = await this.view(setupId);
      const where = current.currentStep ? `next step: ${current.currentStep}` : current.enabled ? 'enabled' : 'complete';
      throw new PlaidSetupError(ERROR_CODES.SETUP_EXISTS, `A setup named "${setupId}" already exists (${where}). See: ${this.caller.command} status ${setupId}`);
    }
  }

  async view(setupId: string): Promise<SetupView> {
    try {
      return (await this.client.workflow.getHandle(workflowIdFor(setupId)).query(stateQuery)) as SetupView;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw this.notFound(setupId);
      throw err;
    }
  }

  /**
   * The running setups on this task queue, newest first (at most `limit`), as their
   * current views. Closed ones are left out: querying them means replaying their history.
   */
  async list(limit = 50): Promise<SetupView[]> {
    const views: SetupView[] = [];
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${this.taskQueue.replace(/'/g, '')}' AND ExecutionStatus = 'Running'`;
    for await (const wf of this.client.workflow.list({ query })) {
      if (views.length >= limit) break;
      try {
        views.push((await this.client.workflow.getHandle(wf.workflowId, wf.runId).query(stateQuery)) as SetupView);
      } catch {
        // It ended between the listing and the query (continue-as-new, cancel): skip it.
      }
    }
    return views;
  }

  /**
   * Sends an action. `updateId` makes a repeated delivery idempotent: Temporal applies an
   * Update id once per run and answers a repeat with the first result.
   */
  async act<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>, updateId?: string): Promise<SetupView> {
    try {
      return (await this.client.workflow
        .getHandle(workflowIdFor(setupId))
        .executeUpdate(updates[action], { args: [args], ...(updateId ? { updateId } : {}) })) as SetupView;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw this.notFound(setupId);
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const actor = (args as { actor: { id: string } }).actor;
        await this.caller.security.record({ kind: 'rejected', actor: actor.id, action, setupId, detail: err.cause.message });
        throw new PlaidSetupError(ERROR_CODES.ACTION_REJECTED, err.cause.message);
      }
      throw err;
    }
  }

  notFound(setupId: string): PlaidSetupError {
    return new PlaidSetupError(ERROR_CODES.SETUP_NOT_FOUND, `There is no setup named "${setupId}". Start one with: ${this.caller.command} start ${setupId}`);
  }
}
