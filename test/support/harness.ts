/**
 * One setup's world for a test: a real SQLite vault in a temp dir, the real activities
 * over programmable Plaid checks, a recording notifier, captured logs, and a worker.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { PlaidCheckInput, PlaidChecks } from '../../src/activities/plaid-checks';
import type { PlaidCheckError } from '../../src/activities/plaid-errors';
import { createLogger } from '../../src/logger';
import { VAULT_FILE } from '../../src/services';
import { stateQuery, updates, workflowIdFor, WORKFLOW_TYPE } from '../../src/shared/messages';
import { SecretValueSchema, type ActionArgs, type ActionName, type Actor, type SecretKind, type SecretRef } from '../../src/shared/schemas';
import type { Evidence, Notification, SetupOptions, SetupState } from '../../src/shared/state';
import { createSetupWorker } from '../../src/temporal/worker';
import { Vault } from '../../src/vault/vault';
import type { SetupInput } from '../../src/workflows';
import { uniqueTaskQueue, workflowBundle } from './env';

export const actors = {
  alice: { id: 'U0ALICE', displayName: 'Alice', source: 'cli', roles: ['operator'] },
  olga: { id: 'U0OLGA', displayName: 'Olga', source: 'slack', roles: ['operator'] },
  bob: { id: 'U0BOB', displayName: 'Bob', source: 'slack', roles: ['approver'] },
  carol: { id: 'U0CAROL', displayName: 'Carol', source: 'cli', roles: ['operator', 'approver'] },
  dave: { id: 'U0DAVE', displayName: 'Dave', source: 'cli', roles: ['auditor'] },
} satisfies Record<string, Actor>;

export const CLIENT_ID = '68028ce48d2b0dec68747f6c';

/** A distinctive secret value, so scans for it cannot hit by chance. */
export function newSecret(): string {
  return randomBytes(15).toString('hex');
}

/** Polls `probe` until `done` holds for its value (checks and timers run asynchronously). */
export async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Outcome = 'ok' | PlaidCheckError | { hang: Promise<void> };

/** Plaid checks whose answers a test scripts; unscripted calls pass. */
export class ScriptedPlaid implements PlaidChecks {
  readonly calls: Array<{ method: 'verifyCredentials' | 'sandboxTest'; input: PlaidCheckInput }> = [];
  private readonly script: Outcome[] = [];

  then(...outcomes: Outcome[]): this {
    this.script.push(...outcomes);
    return this;
  }

  verifyCredentials(input: PlaidCheckInput): Promise<Evidence> {
    return this.answer('verifyCredentials', input);
  }

  sandboxTest(input: PlaidCheckInput): Promise<Evidence> {
    return this.answer('sandboxTest', input);
  }

  private async answer(method: 'verifyCredentials' | 'sandboxTest', input: PlaidCheckInput): Promise<Evidence> {
    this.calls.push({ method, input });
    const next = this.script.shift() ?? 'ok';
    if (next === 'ok') return { environment: input.environment, check: method, requestId: `req-${this.calls.length}` };
    if ('hang' in next) {
      await next.hang;
      return { environment: input.environment, check: method };
    }
    throw next;
  }
}

export class Harness {
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'plaid-setup-test-'));
  readonly taskQueue = uniqueTaskQueue('plaid-setup');
  readonly plaid = new ScriptedPlaid();
  readonly notifications: Notification[] = [];
  readonly logLines: string[] = [];
  readonly submittedSecrets: string[] = [];
  readonly logger = createLogger('debug', (line) => this.logLines.push(line));
  vault!: Vault;

  constructor(readonly env: TestWorkflowEnvironment) {}

  /** The vault's key, for a CLI under test that must open the same vault. */
  readonly key = randomBytes(32);

  async open(): Promise<this> {
    this.vault = await Vault.open(path.join(this.dataDir, VAULT_FILE), { current: this.key });
    return this;
  }

  async worker(): Promise<Worker> {
    return createSetupWorker({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      taskQueue: this.taskQueue,
      workflowBundle: await workflowBundle(),
      shutdownGraceTime: '500ms',
      activities: createActivities({
        secrets: this.vault,
        plaid: this.plaid,
        notifier: { notify: async (n) => void this.notifications.push(n) },
        logger: this.logger,
      }),
    });
  }

  async start(setupId: string, options: Partial<SetupOptions> = {}): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const input: SetupInput = {
      setupId,
      name: setupId,
      createdBy: { id: actors.alice.id, displayName: actors.alice.displayName, source: 'cli' },
      options: { reminderAfterMs: 86_400_000, approvalTimeoutMs: 7 * 86_400_000, ...options },
    };
    return this.env.client.workflow.start(WORKFLOW_TYPE, { workflowId: workflowIdFor(setupId), taskQueue: this.taskQueue, args: [input] });
  }

  handle(setupId: string): WorkflowHandle {
    return this.env.client.workflow.getHandle(workflowIdFor(setupId));
  }

  act<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>): Promise<SetupState> {
    return this.handle(setupId).executeUpdate(updates[action], { args: [args] });
  }

  /** The validator's sentence for a refused action (fails the test if it was accepted). */
  async refused<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>): Promise<{ message: string; code: string }> {
    try {
      await this.act(setupId, action, args);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        return { message: err.cause.message, code: String(err.cause.details?.[0]) };
      }
      throw err;
    }
    throw new Error(`${action} was accepted; expected a refusal`);
  }

  state(setupId: string): Promise<SetupState> {
    return this.handle(setupId).query(stateQuery);
  }

  /** Waits until the setup's state satisfies `predicate` (checks run asynchronously). */
  until(setupId: string, predicate: (s: SetupState) => boolean, what = 'state'): Promise<SetupState> {
    return waitFor(() => this.state(setupId), predicate, what);
  }

  async secret(setupId: string, kind: SecretKind, value = newSecret()): Promise<SecretRef> {
    this.submittedSecrets.push(value);
    return this.vault.put(setupId, kind, SecretValueSchema.parse(value));
  }

  /** The workflow's full history as text, every payload decoded, across runs. */
  async historyJson(setupId: string): Promise<string> {
    const runs: unknown[] = [];
    for await (const wf of this.env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor(setupId)}'` })) {
      runs.push(await this.env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
    }
    return decodedJson(runs);
  }

  async close(): Promise<void> {
    await this.vault.close();
  }
}

/** Drives a setup from start to the step before `enable`, asserting each step on the way. */
export async function journeyToEnablement(h: Harness, setupId: string): Promise<void> {
  await h.act(setupId, 'confirmRedirect', { actor: actors.alice });
  await h.act(setupId, 'submitCredentials', { actor: actors.alice, clientId: CLIENT_ID, sandboxSecret: await h.secret(setupId, 'sandbox') });
  await h.act(setupId, 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' });
  await h.act(setupId, 'runSandboxTest', { actor: actors.alice });
  await h.until(setupId, (s) => s.steps.find((x) => x.id === 'sandbox_test')?.status === 'done', 'sandbox test');
  await h.act(setupId, 'confirmCodat', { actor: actors.alice });
  await h.act(setupId, 'requestProduction', { actor: actors.alice });
  await h.act(setupId, 'approveProduction', { actor: actors.bob });
  await h.act(setupId, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(setupId, 'production') });
  await h.until(setupId, (s) => !s.job, 'production check');
  await h.act(setupId, 'confirmCodat', { actor: actors.alice });
}

/** JSON of a history with every payload's data decoded to UTF-8 text, so scans can read it. */
export function decodedJson(value: unknown): string {
  // fetchHistory's protos serialise binary payload data as base64 strings.
  return JSON.stringify(value, (key, v: unknown) => (key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v));
}
