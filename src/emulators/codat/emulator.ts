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
 */
import { randomUUID } from 'node:crypto';
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

export class CodatEmulator {
  private readonly integrations = new Map<string, CodatIntegration>();
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
    const answer = this.answer(req.method ?? 'GET', path, authenticated);
    this.log.push({ method: req.method ?? 'GET', path, status: answer.status, authenticated });
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private answer(method: string, path: string, authenticated: boolean): { status: number; body: object } {
    const failure = this.failures.shift();
    if (failure) return error(failure.status, failure.status === 429 ? 'Rate limit exceeded.' : 'An unexpected error occurred.', true);
    if (!authenticated) return error(401, 'Unauthorized: the API key is missing or not valid.', false);
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
