/**
 * Codat's Platform API, as plaid-setup reads it: whether the Plaid integration (platform
 * key `suuo`) is enabled for the company behind CODAT_API_KEY. `GET /integrations/{key}`
 * answers Codat's Integration; authentication is `Authorization: Basic <base64 of the key>`
 * (Codat's OpenAPI spec, github.com/codatio/oas). And, opt-in, the partner credentials
 * endpoint `PUT /integrations/credentials/{key}` with `{ clientId, clientSecret, environment }`:
 * that shape is the one issue 13 names; no published Codat spec describing it was found,
 * so it is kept behind CODAT_WRITE_CREDENTIALS for companies that have it. Every failure is a CodatCallError with a
 * stable code, whether retrying can help, and what to do; none carries the key.
 */
import { z } from 'zod';

export const PLAID_PLATFORM_KEY = 'suuo';
export const CODAT_API_URL = 'https://api.codat.io';

export interface CodatClientOptions {
  apiKey: string;
  /** Codat's when unset; an emulator in tests and the demo. */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What plaid-setup keeps of Codat's Integration. */
export interface CodatIntegrationState {
  key: string;
  name: string;
  enabled: boolean;
}

const IntegrationSchema = z.object({ key: z.string().min(1).max(16), name: z.string().min(1).max(200), enabled: z.boolean() });
const ErrorMessageSchema = z.object({ error: z.string().max(500).optional(), correlationId: z.string().max(100).optional() });

export type CodatErrorCode =
  | 'CODAT_UNAUTHORIZED'
  | 'CODAT_FORBIDDEN'
  | 'CODAT_NOT_FOUND'
  | 'CODAT_RATE_LIMITED'
  | 'CODAT_UNAVAILABLE'
  | 'CODAT_BAD_RESPONSE'
  | 'CODAT_REJECTED_CREDENTIALS';

type CodatMethod = 'GET' | 'PUT';

export class CodatCallError extends Error {
  constructor(
    readonly code: CodatErrorCode,
    message: string,
    /** What the operator should do next. */
    readonly action: string,
    readonly retryable: boolean,
    /** Codat's correlationId, for Codat support. */
    readonly correlationId?: string,
  ) {
    super(message);
    this.name = 'CodatCallError';
  }
}

export class CodatClient {
  private readonly baseUrl: string;

  constructor(private readonly options: CodatClientOptions) {
    this.baseUrl = (options.baseUrl ?? CODAT_API_URL).replace(/\/+$/, '');
  }

  /** The integration as Codat shows it in the Portal (Settings > Integrations). */
  async integration(platformKey = PLAID_PLATFORM_KEY): Promise<CodatIntegrationState> {
    const path = `/integrations/${encodeURIComponent(platformKey)}`;
    const response = await this.send('GET', path);
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) {
      const parsed = IntegrationSchema.safeParse(body);
      if (!parsed.success) {
        throw new CodatCallError('CODAT_BAD_RESPONSE', `Codat answered GET ${path} with a body that is not an Integration.`, 'Try again later; if it persists, report it with the time to Codat support.', true);
      }
      return parsed.data;
    }
    const said = ErrorMessageSchema.safeParse(body);
    throw failureFor(response.status, 'GET', path, platformKey, said.success ? said.data.correlationId : undefined);
  }

  /**
   * Writes the Plaid credentials to Codat (partner credentials endpoint, opt-in: see
   * CODAT_WRITE_CREDENTIALS). The secret is in the request body only; no error names it.
   */
  async putCredentials(credentials: { clientId: string; clientSecret: string; environment: 'sandbox' | 'production' }, platformKey = PLAID_PLATFORM_KEY): Promise<void> {
    const path = `/integrations/credentials/${encodeURIComponent(platformKey)}`;
    const response = await this.send('PUT', path, JSON.stringify(credentials));
    if (response.ok) return;
    const body: unknown = await response.json().catch(() => undefined);
    const said = ErrorMessageSchema.safeParse(body);
    const correlationId = said.success ? said.data.correlationId : undefined;
    if (response.status === 400) {
      throw new CodatCallError(
        'CODAT_REJECTED_CREDENTIALS',
        `Codat refused the credentials on PUT ${path} (400).`,
        'Check the client_id and secret in the Plaid Dashboard (Team Settings > Keys), enter them again here, then write them to Codat again.',
        false,
        correlationId,
      );
    }
    if (response.status === 404) {
      throw new CodatCallError(
        'CODAT_NOT_FOUND',
        `Codat has no credentials endpoint for ${platformKey} for this company (404).`,
        'This company has no partner credentials endpoint: unset CODAT_WRITE_CREDENTIALS and enter the values in the Codat Portal by hand.',
        false,
        correlationId,
      );
    }
    throw failureFor(response.status, 'PUT', path, platformKey, correlationId);
  }

  /** One request with the API key; a network failure or timeout is CODAT_UNAVAILABLE. */
  private async send(method: CodatMethod, path: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Basic ${Buffer.from(this.options.apiKey).toString('base64')}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await (this.options.fetch ?? fetch)(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new CodatCallError(
        'CODAT_UNAVAILABLE',
        `Codat ${timedOut ? 'did not answer in time' : 'could not be reached'} on ${method} ${path}.`,
        "Nothing to fix in the setup: it is tried again. If it keeps failing, check the network and Codat's status page.",
        true,
      );
    }
  }
}

/** Codat's refusal, in words: what happened and what to do. */
function failureFor(status: number, method: CodatMethod, path: string, platformKey: string, correlationId: string | undefined): CodatCallError {
  const fail = (code: CodatErrorCode, message: string, action: string, retryable: boolean) => new CodatCallError(code, message, action, retryable, correlationId);
  switch (status) {
    case 401:
      return fail('CODAT_UNAUTHORIZED', 'Codat refused CODAT_API_KEY (401).', 'Copy the API key again from the Codat Portal (Developers > API keys) into CODAT_API_KEY, then restart the worker.', false);
    case 403:
      return fail('CODAT_FORBIDDEN', `Codat says this API key may not ${method === 'GET' ? 'read integrations' : 'write credentials'} (403).`, 'Use an API key of the company that owns the Plaid integration (Codat Portal > Developers > API keys).', false);
    case 404:
      return fail('CODAT_NOT_FOUND', `Codat has no integration ${platformKey} for this company (404).`, 'Check in the Codat Portal (Settings > Integrations > Banking) that Plaid is listed for this company.', false);
    case 429:
      return fail('CODAT_RATE_LIMITED', `Codat is rate-limiting requests (429) on ${method} ${path}.`, 'Nothing to fix: it is tried again with backoff.', true);
    default:
      return fail(
        status >= 500 ? 'CODAT_UNAVAILABLE' : 'CODAT_BAD_RESPONSE',
        `Codat answered ${status} on ${method} ${path}.`,
        "Nothing to fix in the setup: it is tried again. If it keeps failing, check Codat's status page.",
        status >= 500,
      );
  }
}
