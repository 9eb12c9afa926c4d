/**
 * The calls to Plaid that prove a setup's inputs, through the official SDK. Base URLs
 * come from configuration so tests and the demo can point them at a loopback emulator.
 */
import { Configuration, type CountryCode as PlaidCountryCode, PlaidApi, PlaidEnvironments } from 'plaid';
import type { CountryCode, PlaidEnvironment } from '../shared/schemas';
import type { Evidence } from '../shared/state';
import { classifyPlaidError } from './plaid-errors';

export interface PlaidCheckInput {
  environment: PlaidEnvironment;
  clientId: string;
  secret: string;
  countryCodes: CountryCode[];
}

export interface PlaidChecks {
  /** Proves the client_id and secret work in the environment. */
  verifyCredentials(input: PlaidCheckInput): Promise<Evidence>;
  /** Proves the Sandbox set-up works end to end. */
  sandboxTest(input: PlaidCheckInput & { linkCustomizationName?: string }): Promise<Evidence>;
}

export interface PlaidEndpoints {
  sandboxUrl?: string;
  productionUrl?: string;
  timeoutMs: number;
}

export function basePathFor(environment: PlaidEnvironment, endpoints: PlaidEndpoints): string {
  // Only the two environments Plaid still runs; PlaidEnvironments.development is gone.
  if (environment === 'sandbox') return endpoints.sandboxUrl ?? (PlaidEnvironments.sandbox as string);
  if (environment === 'production') return endpoints.productionUrl ?? (PlaidEnvironments.production as string);
  throw new Error(`unsupported Plaid environment ${String(environment)}`);
}

export function createPlaidClient(input: Omit<PlaidCheckInput, 'countryCodes'>, endpoints: PlaidEndpoints): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath: basePathFor(input.environment, endpoints),
      baseOptions: {
        timeout: endpoints.timeoutMs,
        headers: { 'PLAID-CLIENT-ID': input.clientId, 'PLAID-SECRET': input.secret },
      },
    }),
  );
}

export function createPlaidChecks(endpoints: PlaidEndpoints): PlaidChecks {
  const verifyCredentials = async (input: PlaidCheckInput): Promise<Evidence> => {
    const client = createPlaidClient(input, endpoints);
    const started = Date.now();
    try {
      const response = await client.institutionsGet({
        count: 1,
        offset: 0,
        country_codes: input.countryCodes as unknown as PlaidCountryCode[],
      });
      return {
        environment: input.environment,
        check: 'institutions/get',
        institutionsAvailable: response.data.total,
        requestId: response.data.request_id,
        durationMs: Date.now() - started,
      };
    } catch (err) {
      throw classifyPlaidError(err, input.environment);
    }
  };
  return {
    verifyCredentials,
    sandboxTest: (input) => verifyCredentials({ ...input, environment: 'sandbox' }),
  };
}
