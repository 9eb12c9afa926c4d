/**
 * The activities, built from their dependencies so tests and the worker can pass what
 * they need (an emulator's URL, a recording notifier) without module mocks. Each one is
 * safe to retry: the checks only read, and the smoke test removes what it created,
 * including what a crashed attempt left behind.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PlaidApi } from 'plaid';
import { ERROR_CODES, isPlaidSetupError } from '../errors';
import type { Logger } from '../logger';
import { checkLinkConfiguration, sandboxSmokeTest, verifyCredentials, type ItemLedger, type SmokePhase } from '../plaid/checks';
import type { PlaidClient, PlaidClientFactory, SecretReader } from '../plaid/client';
import { PlaidCallError } from '../plaid/errors';
import type { Evidence, Problem } from '../domain/state';
import { checkOutcomes } from '../ops/metrics';
import { CodatCallError, PLAID_PLATFORM_KEY, type CodatClient } from '../codat/client';
import {
  CHECK_FAILED,
  CHECK_UNAVAILABLE,
  VAULT_ERROR,
  type PlaidCredentialsRef,
  type SetupActivities,
  type SmokeProgress,
} from './contract';
import type { Notifier } from './notifier';

export interface ActivityDeps {
  plaid: PlaidClientFactory;
  /** Which setups are enabled now (visibility), for the drift watch. */
  enabledSetups?: () => Promise<string[]>;
  /** Absent without CODAT_API_KEY: then nothing is read from Codat. */
  codat?: CodatClient;
  /** Present with CODAT_WRITE_CREDENTIALS: opens a secret for the one call that writes it to Codat. */
  codatWrite?: { reveal: SecretReader['reveal'] };
  items: ItemLedger;
  notifier: Notifier;
  logger: Logger;
  /** How the smoke test waits for a new Item's first transactions sync. */
  syncPoll?: { intervalMs: number; attempts: number };
}

/** A check's failure for Temporal: its type (the retry policy reads it) and the Problem as its one detail. */
function failed(type: string, problem: Problem, retryable: boolean): ApplicationFailure {
  return ApplicationFailure.create({ type, message: problem.message, nonRetryable: !retryable, details: [problem] });
}

/**
 * How often a check tells Temporal it is alive, whatever Plaid or Codat is doing: the
 * workflow's heartbeat timeout then notices a killed worker in seconds, not at the end of
 * the start-to-close timeout.
 */
const HEARTBEAT_EVERY_MS = 2_000;

/** Runs `work` heartbeating every HEARTBEAT_EVERY_MS with what `details` says at that moment. */
async function beating<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details());
  const beat = setInterval(() => ctx.heartbeat(details()), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

export function createActivities(deps: ActivityDeps): SetupActivities {
  const { plaid, items, notifier, logger } = deps;

  async function clientFor(ref: PlaidCredentialsRef): Promise<PlaidClient> {
    try {
      return await plaid.create({ setupId: ref.setupId, environment: ref.environment, clientId: ref.clientId, secret: ref.secret });
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      logger.error('cannot build the Plaid client', { setup: ref.setupId, ref: ref.secret.ref, code: err.code });
      const mismatch = err.code === ERROR_CODES.SECRET_REF_MISMATCH || err.code === ERROR_CODES.SECRET_FINGERPRINT_MISMATCH;
      const action = mismatch
        ? `Enter the ${ref.environment === 'sandbox' ? 'Sandbox' : 'Production'} secret again for this setup, then run the check again.`
        : 'Submit the secret again.';
      throw failed(VAULT_ERROR, { code: err.code, message: err.message, action }, false);
    }
  }

  /**
   * Runs a check with the activity's cancellation signal and turns a PlaidCallError into
   * the failure type the workflow's retry policy understands. Anything else is a bug and
   * propagates as is (it cannot hold a secret: SDK errors never get past classification).
   */
  async function check(
    label: string,
    setupId: string,
    client: PlaidClient,
    run: (api: PlaidApi, signal: AbortSignal) => Promise<Evidence>,
    progress?: () => SmokeProgress,
  ): Promise<Evidence> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const checkName = ctx.info.activityType;
    try {
      const evidence = await beating(() => run(client.api, ctx.cancellationSignal), progress);
      logger.info(`${label} passed`, { setup: setupId, attempt });
      checkOutcomes.inc({ check: checkName, outcome: 'passed', code: '' });
      // Which secret the check proved, as the vault knows it.
      return { ...evidence, secretFingerprint: client.secretFingerprint };
    } catch (err) {
      if (ctx.cancellationSignal.aborted) {
        // A stopping worker is not a cancelled setup: fail retryably so another worker takes over.
        if (ctx.cancellationDetails?.workerShutdown) {
          throw failed(
            CHECK_UNAVAILABLE,
            { code: 'WORKER_SHUTDOWN', message: `The worker stopped during the ${label}.`, action: 'Nothing to do: another worker retries the check.' },
            true,
          );
        }
        throw ctx.cancellationSignal.reason;
      }
      if (!(err instanceof PlaidCallError)) throw err;
      logger.warn(`${label} failed`, { setup: setupId, attempt, code: err.code, requestId: err.requestId, retryable: err.retryable });
      checkOutcomes.inc({ check: checkName, outcome: err.retryable ? 'unavailable' : 'failed', code: err.code });
      const problem: Problem = { code: err.code, message: err.message, action: err.action, ...(err.requestId ? { requestId: err.requestId } : {}) };
      throw failed(err.retryable ? CHECK_UNAVAILABLE : CHECK_FAILED, problem, err.retryable);
    }
  }

  return {
    async listEnabledSetups() {
      return deps.enabledSetups ? deps.enabledSetups() : [];
    },

    async readCodatIntegration(input): Promise<Evidence> {
      const codat = deps.codat;
      if (!codat) return { codatChecked: false };
      try {
        const integration = await beating(() => codat.integration(PLAID_PLATFORM_KEY));
        logger.info('Codat read back', { setup: input.setupId, enabled: integration.enabled });
        return { codatChecked: true, codatEnabled: integration.enabled, codatIntegration: integration.key };
      } catch (err) {
        if (!(err instanceof CodatCallError)) throw err;
        logger.warn('Codat read failed', { setup: input.setupId, code: err.code, correlationId: err.correlationId });
        throw failed(err.retryable ? CHECK_UNAVAILABLE : CHECK_FAILED, { code: err.code, message: err.message, action: err.action }, err.retryable);
      }
    },

    async writeCodatCredentials(input): Promise<Evidence> {
      const codat = deps.codat;
      if (!codat || !deps.codatWrite) {
        throw failed(
          CHECK_FAILED,
          {
            code: 'CODAT_WRITE_OFF',
            message: 'This worker does not write credentials to Codat (CODAT_API_KEY and CODAT_WRITE_CREDENTIALS are not both set).',
            action: 'Enter the values in the Codat Portal by hand and confirm, or set CODAT_WRITE_CREDENTIALS=true with CODAT_API_KEY on the worker.',
          },
          false,
        );
      }
      let secret: string;
      try {
        secret = (await deps.codatWrite.reveal(input.secret, { setupId: input.setupId, kind: input.kind })).value;
      } catch (err) {
        if (!isPlaidSetupError(err)) throw err;
        throw failed(VAULT_ERROR, { code: err.code, message: err.message, action: `Enter the ${input.kind === 'sandbox' ? 'Sandbox' : 'Production'} secret again.` }, false);
      }
      try {
        await beating(() => codat.putCredentials({ clientId: input.clientId, clientSecret: secret, environment: input.kind }));
      } catch (err) {
        if (!(err instanceof CodatCallError)) throw err;
        logger.warn('Codat credentials write failed', { setup: input.setupId, code: err.code, correlationId: err.correlationId });
        throw failed(err.retryable ? CHECK_UNAVAILABLE : CHECK_FAILED, { code: err.code, message: err.message, action: err.action }, err.retryable);
      }
      logger.info('Credentials written to Codat', { setup: input.setupId, environment: input.kind, secret: input.secret.fingerprint });
      return { codatCredentialsWritten: true, codatEnvironment: input.kind, secretFingerprint: input.secret.fingerprint };
    },

    async verifyCredentials(input) {
      const client = await clientFor(input);
      return check(`${input.environment} credentials check`, input.setupId, client, (api, signal) =>
        verifyCredentials(api, { environment: input.environment, countryCodes: input.countryCodes }, { signal }),
      );
    },

    async checkLinkConfiguration(input) {
      const client = await clientFor(input);
      return check(`${input.environment} Link configuration check`, input.setupId, client, (api, signal) =>
        checkLinkConfiguration(
          api,
          {
            environment: input.environment,
            setupId: input.setupId,
            countryCodes: input.countryCodes,
            ...(input.linkCustomizationName ? { linkCustomizationName: input.linkCustomizationName } : {}),
          },
          { signal },
        ),
      );
    },

    async runSandboxSmokeTest(input) {
      const client = await clientFor({ ...input, environment: 'sandbox' });
      const ctx = Context.current();
      let progress: SmokeProgress = { phase: 'starting' };
      return check(
        'Sandbox smoke test',
        input.setupId,
        client,
        (api, signal) =>
          sandboxSmokeTest(api, input.setupId, {
            signal,
            ledger: items,
            ...(deps.syncPoll ? { syncPoll: deps.syncPoll } : {}),
            progress: (phase: SmokePhase, itemId?: string) => {
              progress = { phase, ...(itemId ? { itemId } : {}) };
              ctx.heartbeat(progress);
            },
            warn: (message, fields) => logger.warn(message, fields),
          }),
        () => progress,
      );
    },

    notify: (input) => notifier.notify(input),
    publishChecklist: (input) => notifier.publishChecklist(input),
    closeApprovalRequests: (input) => notifier.closeApprovalRequests(input),
  };
}
