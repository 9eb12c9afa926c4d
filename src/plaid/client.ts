/**
 * The one place a PlaidApi is built: environment + client_id + a secret read from the
 * vault by reference. Base URLs default to Plaid's and come from PLAID_SANDBOX_URL /
 * PLAID_PRODUCTION_URL when set (the emulator, a proxy).
 */
import { Configuration, PlaidApi, PlaidEnvironments } from 'plaid';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { ENVIRONMENTS, type PlaidEnvironment } from '../shared/schemas';

export interface PlaidEndpoints {
  sandboxUrl?: string;
  productionUrl?: string;
  /** Per request; a hung call fails as PLAID_TIMEOUT and is retried by Temporal. */
  timeoutMs: number;
}

export interface SecretReader {
  reveal(ref: string): Promise<string>;
}

export interface PlaidClientRequest {
  environment: PlaidEnvironment;
  clientId: string;
  /** A vault reference, never the value. */
  secretRef: string;
}

export interface PlaidClientFactory {
  create(request: PlaidClientRequest): Promise<PlaidApi>;
}

/**
 * plaid v47 falls back to Production for an unknown environment name (e.g. the retired
 * `development`), so anything other than the two names Plaid still runs is refused here.
 */
export function basePathFor(environment: string, endpoints: PlaidEndpoints): string {
  if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new PlaidSetupError(
      ERROR_CODES.PLAID_ENVIRONMENT_UNSUPPORTED,
      `Plaid environment "${environment}" is not supported: use sandbox or production (Plaid retired Development in June 2024).`,
    );
  }
  const configured = environment === 'sandbox' ? endpoints.sandboxUrl : endpoints.productionUrl;
  const fallback = PlaidEnvironments[environment];
  return (configured ?? fallback) as string;
}

export function createPlaidClientFactory(secrets: SecretReader, endpoints: PlaidEndpoints): PlaidClientFactory {
  return {
    async create({ environment, clientId, secretRef }) {
      const basePath = basePathFor(environment, endpoints);
      const secret = await secrets.reveal(secretRef);
      return new PlaidApi(
        new Configuration({
          basePath,
          baseOptions: {
            timeout: endpoints.timeoutMs,
            headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret },
          },
        }),
      );
    },
  };
}
