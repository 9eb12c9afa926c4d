/**
 * The activities, built from their dependencies so tests and the worker can pass what
 * they need (an emulator's URL, a recording notifier) without module mocks.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isPlaidSetupError } from '../errors';
import type { Logger } from '../logger';
import type { Evidence } from '../shared/state';
import { CHECK_FAILED, CHECK_UNAVAILABLE, VAULT_ERROR, type SetupActivities } from './contract';
import type { Notifier } from './notifier';
import type { PlaidChecks } from './plaid-checks';
import { PlaidCheckError } from './plaid-errors';

export interface SecretReader {
  reveal(ref: string): Promise<string>;
}

export interface ActivityDeps {
  secrets: SecretReader;
  plaid: PlaidChecks;
  notifier: Notifier;
  logger: Logger;
}

export function createActivities(deps: ActivityDeps): SetupActivities {
  const { secrets, plaid, notifier, logger } = deps;

  async function reveal(ref: string): Promise<string> {
    try {
      return await secrets.reveal(ref);
    } catch (err) {
      if (isPlaidSetupError(err)) {
        logger.error('vault read failed', { ref, code: err.code });
        throw ApplicationFailure.create({
          type: VAULT_ERROR,
          message: err.message,
          nonRetryable: true,
          details: [{ code: err.code, message: err.message, action: 'Enter the secret again.' }],
        });
      }
      throw err;
    }
  }

  async function check(label: string, setupId: string, run: () => Promise<Evidence>): Promise<Evidence> {
    try {
      // Stop waiting when the activity is cancelled or its worker shuts down, so Temporal
      // can retry it on another worker instead of the shutdown hanging on Plaid.
      const evidence = await Promise.race([run(), Context.current().cancelled]);
      logger.info(`${label} passed`, { setup: setupId });
      return evidence;
    } catch (err) {
      if (!(err instanceof PlaidCheckError)) throw err;
      logger.warn(`${label} failed`, { setup: setupId, code: err.code, requestId: err.requestId, retryable: err.retryable });
      const detail = { code: err.code, message: err.message, action: err.action, requestId: err.requestId };
      throw ApplicationFailure.create({
        type: err.retryable ? CHECK_UNAVAILABLE : CHECK_FAILED,
        message: err.message,
        nonRetryable: !err.retryable,
        details: [detail],
      });
    }
  }

  return {
    async runSandboxTest(input) {
      const secret = await reveal(input.secret.ref);
      return check('Sandbox test', input.setupId, () =>
        plaid.sandboxTest({
          environment: 'sandbox',
          clientId: input.clientId,
          secret,
          countryCodes: input.countryCodes,
          ...(input.linkCustomizationName ? { linkCustomizationName: input.linkCustomizationName } : {}),
        }),
      );
    },
    async verifyCredentials(input) {
      const secret = await reveal(input.secret.ref);
      return check(`${input.environment} credentials check`, input.setupId, () =>
        plaid.verifyCredentials({
          environment: input.environment,
          clientId: input.clientId,
          secret,
          countryCodes: input.countryCodes,
        }),
      );
    },
    async notify(notification) {
      await notifier.notify(notification);
    },
  };
}
