/**
 * The one place a PlaidApi is built: environment + client_id + a secret read from the
 * vault by reference, only if the reference is this setup's secret for this environment. Base URLs default to Plaid's and come from PLAID_SANDBOX_URL /
 * PLAID_PRODUCTION_URL when set (the emulator, a proxy).
 */
import { Configuration, PlaidApi, PlaidEnvironments } from 'plaid';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { plaidCalls, timed } from '../ops/metrics';
import { ENVIRONMENTS, type PlaidEnvironment, type SecretRef } from '../shared/schemas';
import type { RevealedSecret, SecretOwner } from '../vault/vault';

export interface PlaidEndpoints {
  sandboxUrl?: string;
  productionUrl?: string;
  /** Per request; a hung call fails as PLAID_TIMEOUT and is retried by Temporal. */
  timeoutMs: number;
}

export interface SecretReader {
  reveal(secret: SecretRef, owner: SecretOwner): Promise<RevealedSecret>;
}

export interface PlaidClientRequest {
  /** The setup the call is for: the secret must be this setup's. */
  setupId: string;
  environment: PlaidEnvironment;
  clientId: string;
  /** A vault reference and its claimed fingerprint, never the value. */
  secret: SecretRef;
}

export interface PlaidClient {
  api: PlaidApi;
  /** The fingerprint of the secret actually used, from the vault. */
  secretFingerprint: string;
}

export interface PlaidClientFactory {
  create(request: PlaidClientRequest): Promise<PlaidClient>;
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

/** The Plaid call's outcome for the latency histogram: ok, Plaid's HTTP status, or error (no answer). */
function callOutcome(err?: unknown): string {
  if (err === undefined) return 'ok';
  const status = (err as { response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? `http_${status}` : 'error';
}

/** Every PlaidApi call timed into plaid_setup_plaid_call_seconds, by operation (institutionsGet, …). */
function timedApi(api: PlaidApi): PlaidApi {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return (...args: unknown[]) => timed(plaidCalls, { operation: property }, callOutcome, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

export function createPlaidClientFactory(secrets: SecretReader, endpoints: PlaidEndpoints): PlaidClientFactory {
  return {
    async create({ setupId, environment, clientId, secret }) {
      const basePath = basePathFor(environment, endpoints);
      // Each environment has its own secret kind; the legacy Development one is never sent.
      const { value, fingerprint } = await secrets.reveal(secret, { setupId, kind: environment });
      const api = new PlaidApi(
        new Configuration({
          basePath,
          baseOptions: {
            timeout: endpoints.timeoutMs,
            headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': value },
          },
        }),
      );
      return { api: timedApi(api), secretFingerprint: fingerprint };
    },
  };
}
