/**
 * A loopback Codat Platform API, as much of it as plaid-setup reads: one company's
 * integrations, behind its API key. Shapes follow Codat's published OpenAPI spec
 * (github.com/codatio/oas, Platform API; mirrored in codatio/client-sdk-typescript,
 * platform/src/sdk/models/shared/integration.ts and errormessage.ts):
 * - `GET /integrations/{platformKey}` answers the Integration: key, logoUrl, name, enabled
 *   (required), sourceType, integrationId, isOfflineConnector, isBeta, dataProvidedBy.
 * - Authentication is `Authorization: Basic <base64 of the API key>`; a missing or wrong key
 *   is 401 and an unknown platform key 404, each with Codat's ErrorMessage body (statusCode,
 *   service, error, correlationId, canBeRetried).
 * - Which integrations are enabled is the Portal's to change (Settings > Integrations); a
 *   test or the demo plays the operator there with setEnabled().
 * - `PUT /integrations/credentials/{platformKey}` with `{ clientId, clientSecret, environment }`
 *   stores the credentials (only a hash of the secret is kept) and answers 204; a malformed
 *   body is 400. This is the shape issue 13 names for Codat's partner credentials endpoint;
 *   no published spec of it was found. `credentialsEndpoint: false` plays a company without it (404).
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BodyRefused, readBoundedBody } from '../../http/body';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../../http/listen';

export interface CodatIntegration {
  key: string;
  logoUrl: string;
  name: string;
  enabled: boolean;
  sourceType: 'Banking' | 'Accounting' | 'Commerce';
  integrationId: string;
  isOfflineConnector: boolean;
  isBeta: boolean;
  dataProvidedBy: string;
}

/** The integrations this emulator knows: Plaid's platform key is `suuo`. */
const BANKING: ReadonlyArray<Pick<CodatIntegration, 'key' | 'name'>> = [{ key: 'suuo', name: 'Plaid' }];

export interface CodatEmulatorOptions {
  /** The API key requests must carry; one is made up when absent. */
  apiKey?: string;
  /** Whether the company has the partner credentials endpoint; default true. */
  credentialsEndpoint?: boolean;
  port?: number;
  host?: string;
}

export interface CodatRequest {
  method: string;
  path: string;
  status: number;
  /** Whether the request carried the right API key (the key itself is never kept). */
  authenticated: boolean;
}

/** What a company's integration holds after a credentials write: the secret only as its SHA-256. */
export interface StoredCredentials {
  clientId: string;
  environment: 'sandbox' | 'production';
  clientSecretSha256: string;
}

const CredentialsSchema = z.object({
  clientId: z.string().regex(/^[0-9a-f]{24}$/),
  clientSecret: z.string().regex(/^[0-9a-f]{30}$/),
  environment: z.enum(['sandbox', 'production']),
});

export class CodatEmulator {
  private readonly integrations = new Map<string, CodatIntegration>();
  private readonly stored = new Map<string, StoredCredentials>();
  private credentialsEndpoint = true;
  private readonly log: CodatRequest[] = [];
  private failures: Array<{ status: 500 | 503 | 429 }> = [];

  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  private baseUrl = '';

  private constructor(readonly apiKey: string) {
    for (const { key, name } of BANKING) {
      this.integrations.set(key, {
        key,
        name,
        logoUrl: `https://static.codat.io/public/officialLogos/Square/${name}.png`,
        enabled: false,
        sourceType: 'Banking',
        integrationId: randomUUID(),
        isOfflineConnector: false,
        isBeta: false,
        dataProvidedBy: name,
      });
    }
  }

  static async start(options: CodatEmulatorOptions = {}): Promise<CodatEmulator> {
    const emulator = new CodatEmulator(options.apiKey ?? randomUUID().replace(/-/g, ''));
    emulator.credentialsEndpoint = options.credentialsEndpoint ?? true;
    const host = options.host ?? '127.0.0.1';
    const address = await listen(emulator.server, options.port ?? 0, host);
    emulator.baseUrl = `http://${host}:${address.port}`;
    return emulator;
  }

  /** Where it listens: CODAT_API_URL. */
  get url(): string {
    return this.baseUrl;
  }

  /** What the operator does in the Codat Portal: turn an integration on or off. */
  setEnabled(platformKey: string, enabled: boolean): void {
    const integration = this.integrations.get(platformKey);
    if (!integration) throw new Error(`Codat emulator: no integration ${platformKey}`);
    integration.enabled = enabled;
  }

  integration(platformKey: string): CodatIntegration | undefined {
    const found = this.integrations.get(platformKey);
    return found && { ...found };
  }

  /** Plays a company that has (or, false, lacks) the partner credentials endpoint. */
  setCredentialsEndpoint(available: boolean): void {
    this.credentialsEndpoint = available;
  }

  /** The credentials last written for the integration, if any. */
  credentials(platformKey: string): StoredCredentials | undefined {
    const found = this.stored.get(platformKey);
    return found && { ...found };
  }

  /** The next `times` requests answer `status` (Codat down or rate-limiting). */
  fail(status: 500 | 503 | 429, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ status });
  }

  get requests(): readonly CodatRequest[] {
    return this.log;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://codat').pathname;
    const authenticated = req.headers.authorization === `Basic ${Buffer.from(this.apiKey).toString('base64')}`;
    const method = req.method ?? 'GET';
    void readBoundedBody(req, { bytes: 16 * 1024, timeoutMs: 10_000 })
      .then((body) => this.answer(method, path, authenticated, body))
      .catch((err: unknown) => (err instanceof BodyRefused ? error(err.status, 'The request body was refused.', false) : error(500, 'An unexpected error occurred.', true)))
      .then((answer) => {
        this.log.push({ method, path, status: answer.status, authenticated });
        if (answer.status === 204) return void res.writeHead(204).end();
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      });
  }

  private answer(method: string, path: string, authenticated: boolean, body: Buffer): { status: number; body: object } {
    const failure = this.failures.shift();
    if (failure) return error(failure.status, failure.status === 429 ? 'Rate limit exceeded.' : 'An unexpected error occurred.', true);
    if (!authenticated) return error(401, 'Unauthorized: the API key is missing or not valid.', false);
    const write = /^\/integrations\/credentials\/([a-z]{4})$/.exec(path);
    if (method === 'PUT' && write && this.credentialsEndpoint) {
      const key = write[1] as string;
      if (!this.integrations.has(key)) return error(404, `Integration ${key} was not found.`, false);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return error(400, 'The request body is not JSON.', false);
      }
      const parsed = CredentialsSchema.safeParse(json);
      if (!parsed.success) return error(400, 'The credentials are not valid: clientId, clientSecret and environment (sandbox or production) are required.', false);
      const { clientId, clientSecret, environment } = parsed.data;
      this.stored.set(key, { clientId, environment, clientSecretSha256: createHash('sha256').update(clientSecret).digest('hex') });
      return { status: 204, body: {} };
    }
    const match = /^\/integrations\/([a-z]{4})$/.exec(path);
    if (method !== 'GET' || !match) return error(404, `No route for ${method} ${path}.`, false);
    const integration = this.integrations.get(match[1] as string);
    if (!integration) return error(404, `Integration ${match[1]} was not found.`, false);
    return { status: 200, body: { ...integration } };
  }
}

/** Codat's ErrorMessage body. */
function error(statusCode: number, message: string, canBeRetried: boolean): { status: number; body: object } {
  return {
    status: statusCode,
    body: { statusCode, service: 'PublicApi', error: message, correlationId: randomUUID().replace(/-/g, ''), canBeRetried: String(canBeRetried) },
  };
}
