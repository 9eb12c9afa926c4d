/**
 * One test's world: a real SQLite vault in a temp dir, the real activities calling the
 * Plaid emulator through the plaid SDK as a client registered for this test, a recording
 * notifier, captured logs, and a worker.
 */
import { randomBytes } from 'node:crypto';
import * as valibot from 'valibot';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, tsToMs, type DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import type { CodatClient } from '../../src/codat/client';
import { enabledSetupIds } from '../../src/temporal/client/drift-schedule';
import { createActivities } from '../../src/activities';
import type { Notifier } from '../../src/activities/notifier';
import { demoClient, type EmulatedClient, type PlaidEmulator } from '../../src/emulators/plaid';
import { createLogger, type LogFormat, type LogLevel, type ProcessLogger } from '../../src/logger';
import { createPlaidClientFactory } from '../../src/plaid/client';
import { VAULT_FILE } from '../../src/services';
import { stateQuery, updates, workflowIdFor, WORKFLOW_TYPE } from '../../src/shared/messages';
import { SecretValueSchema, type Actor, type SecretKind, type SecretRef } from '../../src/shared/schemas';
import type { Notification, SetupOptions, SetupState } from '../../src/domain/state';
import { createSetupWorker } from '../../src/temporal/worker/worker';
import { Vault } from '../../src/vault/vault';
import type { SetupInput } from '../../src/workflows';
import { signAssertion, START_ASSERTION } from '../../src/domain/assertion';
import { uniqueTaskQueue, workflowBundle } from './env';
import { TEST_ASSERTION_KEY, TEST_GROUPS } from './policy';
import { type ActionArgs, type ActionName } from '../../src/shared/actions';

/** The people of the tests; their roles come from TEST_POLICY (support/policy.ts), as a worker decides them. */
export const actors = {
  alice: { id: 'U0ALICE', displayName: 'Alice', source: 'cli' },
  olga: { id: 'U0OLGA', displayName: 'Olga', source: 'slack' },
  bob: { id: 'U0BOB', displayName: 'Bob', source: 'slack' },
  carol: { id: 'U0CAROL', displayName: 'Carol', source: 'cli' },
  dave: { id: 'U0DAVE', displayName: 'Dave', source: 'cli' },
} satisfies Record<string, Actor>;

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

export interface HarnessOptions {
  log?: { level: LogLevel; format: LogFormat };
}

export class Harness {
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'plaid-setup-test-'));
  readonly taskQueue = uniqueTaskQueue('plaid-setup');
  /** This test's Plaid client, registered with the emulator. */
  readonly client: EmulatedClient = demoClient();
  readonly notifications: Notification[] = [];
  readonly logLines: string[] = [];
  readonly submittedSecrets: string[] = [];
  readonly logger: ProcessLogger;
  vault!: Vault;
  /** The Temporal client the test acts through; replace it to act with another data converter. */
  temporal: Client;

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly plaid: PlaidEmulator,
    options: HarnessOptions = {},
  ) {
    plaid.addClient(this.client);
    this.temporal = env.client;
    // Tests keep every line, debug included, to scan them; benchmarks log as a deployed worker.
    this.logger = createLogger(options.log?.level ?? 'debug', (line) => this.logLines.push(line), options.log?.format ?? 'pretty');
  }

  get clientId(): string {
    return this.client.clientId;
  }

  /** What the emulator received from this test's client. */
  plaidCalls(): Array<{ flavour: string; path: string; status: number }> {
    return this.plaid.requests.filter((r) => r.clientId === this.clientId).map(({ flavour, path, status }) => ({ flavour, path, status }));
  }

  /** The vault's key, for a CLI under test that must open the same vault. */
  readonly key = randomBytes(32);

  async open(): Promise<this> {
    this.vault = await Vault.open(path.join(this.dataDir, VAULT_FILE), { current: this.key });
    return this;
  }

  /** A worker with the real activities; notifications are recorded unless a notifier is given (Slack). */
  /** `codatWrite`: the worker writes credentials to Codat (CODAT_WRITE_CREDENTIALS), opening secrets from this vault. */
  async worker(options: { notifier?: Notifier; dataConverter?: DataConverter; workflowBundle?: WorkflowBundle; codat?: CodatClient; codatWrite?: boolean } = {}): Promise<Worker> {
    return createSetupWorker({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      taskQueue: this.taskQueue,
      workflowBundle: options.workflowBundle ?? (await workflowBundle()),
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
      shutdownGraceTime: '500ms',
      activities: createActivities({
        plaid: createPlaidClientFactory(this.vault, {
          sandboxUrl: this.plaid.sandboxUrl,
          productionUrl: this.plaid.productionUrl,
          timeoutMs: 2_000,
        }),
        items: this.vault.itemLedger(),
        enabledSetups: () => enabledSetupIds(this.temporal, this.taskQueue),
        ...(options.codat ? { codat: options.codat } : {}),
        ...(options.codatWrite ? { codatWrite: { reveal: (secret, owner) => this.vault.reveal(secret, owner) } } : {}),
        notifier: options.notifier ?? {
          notify: async ({ notification }) => {
            this.notifications.push(notification);
            return { messages: [] };
          },
          publishChecklist: async ({ channel }) => ({ channel, ts: '1.000001' }),
          closeApprovalRequests: async () => undefined,
        },
        logger: this.logger,
        syncPoll: { intervalMs: 100, attempts: 20 },
      }),
    });
  }

  /** Starts a setup as the CLI would; `slack` gives it a checklist channel, as the bot would. */
  async start(setupId: string, options: Partial<SetupOptions> = {}, slack?: SetupInput['slack']): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const input: SetupInput = {
      setupId,
      name: setupId,
      createdBy: { id: actors.alice.id, displayName: actors.alice.displayName, source: 'cli' },
      options: { reminderAfterMs: 86_400_000, approvalTimeoutMs: 7 * 86_400_000, ...options },
      ...(slack ? { slack } : {}),
    };
    const signed = signAssertion(TEST_ASSERTION_KEY, { update: START_ASSERTION, setupId }, { ...input });
    return this.temporal.workflow.start(WORKFLOW_TYPE, { workflowId: workflowIdFor(setupId), taskQueue: this.taskQueue, args: [signed] });
  }

  handle(setupId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(workflowIdFor(setupId));
  }

  /**
   * Sends an action as the bot or CLI would: signed, with the actor's Slack groups
   * asserted. A decision without a request id names the request waiting now, as the
   * button on its approval message does.
   */
  async act<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>): Promise<SetupState> {
    const updateId = `${action}-${randomBytes(6).toString('hex')}`;
    const actorId = (args as { actor: { id: string } }).actor.id;
    const decision = action === 'approveProduction' || action === 'rejectProduction';
    const full = decision && !('requestId' in args) ? { ...args, requestId: (await this.state(setupId)).production?.id } : args;
    const signed = signAssertion(TEST_ASSERTION_KEY, { update: action, setupId, updateId }, full as Record<string, unknown>, { groups: TEST_GROUPS[actorId] ?? [] });
    return this.handle(setupId).executeUpdate(updates[action], { args: [signed as unknown as ActionArgs<N>], updateId });
  }

  /** Sends `args` exactly as given (no signing): what someone who can reach Temporal could send. */
  async sendRaw(setupId: string, action: ActionName, args: unknown, updateId = `raw-${randomBytes(6).toString('hex')}`): Promise<{ message: string; code: string }> {
    try {
      await this.handle(setupId).executeUpdate(updates[action] as never, { args: [args as never], updateId });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        return { message: err.cause.message, code: String(err.cause.details?.[0]) };
      }
      throw err;
    }
    throw new Error(`${action} was accepted; expected a refusal`);
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

  /** Stores a secret in the vault: by default the one Plaid (the emulator) holds for the client. */
  async secret(setupId: string, kind: SecretKind, value = this.plaidSecret(kind)): Promise<SecretRef> {
    this.submittedSecrets.push(value);
    return this.vault.put(setupId, kind, valibot.parse(SecretValueSchema, value));
  }

  /** How long each timer the setup's current run has started was set for, in ms, in order. */
  async timersStarted(setupId: string): Promise<number[]> {
    const events = (await this.handle(setupId).fetchHistory()).events ?? [];
    return events.flatMap((e) => (e.timerStartedEventAttributes ? [tsToMs(e.timerStartedEventAttributes.startToFireTimeout)] : []));
  }

  /** The workflow's full history as text, every payload decoded, across runs. */
  async historyJson(setupId: string): Promise<string> {
    const runs: unknown[] = [];
    for await (const wf of this.temporal.workflow.list({ query: `WorkflowId = '${workflowIdFor(setupId)}'` })) {
      runs.push(await this.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
    }
    return decodedJson(runs);
  }

  private plaidSecret(kind: SecretKind): string {
    if (kind === 'sandbox') return this.client.secrets.sandbox;
    if (kind === 'production' && this.client.secrets.production) return this.client.secrets.production;
    return newSecret();
  }

  async close(): Promise<void> {
    await this.vault.close();
  }
}

/** Whether a setup's step `id` has `status`, as a predicate for until(). */
export const stepIs =
  (id: string, status: SetupState['steps'][number]['status']) =>
  (s: SetupState): boolean =>
    s.steps.find((x) => x.id === id)?.status === status;

/** Drives a started setup through the Codat Portal step, ready for a production request. */
export async function journeyToProductionRequest(h: Harness, setupId: string, countryCodes: string[] = ['US', 'GB']): Promise<void> {
  await h.act(setupId, 'confirmRedirect', { actor: actors.alice });
  await h.act(setupId, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(setupId, 'sandbox') });
  await h.act(setupId, 'updateSettings', { actor: actors.alice, countryCodes, syncMode: 'continuous' });
  await h.act(setupId, 'runSandboxTest', { actor: actors.alice });
  await h.until(setupId, stepIs('sandbox_test', 'done'), 'sandbox test');
  await h.act(setupId, 'confirmCodat', { actor: actors.alice });
}

/** Drives a setup from start to the step before `enable`, asserting each step on the way. */
export async function journeyToEnablement(h: Harness, setupId: string): Promise<void> {
  await journeyToProductionRequest(h, setupId);
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

/** Every line the Temporal SDK logged in this test file (see quiet-runtime.ts). */
export function sdkLogLines(): string[] {
  return (globalThis as { __sdkLogLines?: string[] }).__sdkLogLines ?? [];
}
