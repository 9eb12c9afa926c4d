/**
 * The Codat client against the Codat emulator the project ships: what the Portal shows, and
 * each way Codat refuses, in words that never carry the API key.
 */
import { createServer } from 'node:http';
import { CodatCallError, CodatClient } from '../src/codat/client';
import { CodatEmulator } from '../src/emulators/codat/emulator';
import { closeServer, listen } from '../src/http/listen';
import { loadConfig } from '../src/config';

let codat: CodatEmulator;
beforeAll(async () => {
  codat = await CodatEmulator.start();
});
afterAll(() => codat.close());

const client = (apiKey = codat.apiKey, baseUrl = codat.url) => new CodatClient({ apiKey, baseUrl, timeoutMs: 2000 });

async function refusal(run: Promise<unknown>): Promise<CodatCallError> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CodatCallError);
  return err as CodatCallError;
}

test('reads whether Plaid (suuo) is enabled, as the operator sets it in the Portal', async () => {
  expect(await client().integration()).toEqual({ key: 'suuo', name: 'Plaid', enabled: false });
  codat.setEnabled('suuo', true);
  expect(await client().integration()).toEqual({ key: 'suuo', name: 'Plaid', enabled: true });
  expect(codat.requests.at(-1)).toMatchObject({ method: 'GET', path: '/integrations/suuo', status: 200, authenticated: true });
});

test('a wrong API key, an unknown integration, Codat down or rate-limiting: a code, whether to retry, and what to do', async () => {
  const wrongKey = 'x'.repeat(32);
  const unauthorized = await refusal(client(wrongKey).integration());
  expect(unauthorized).toMatchObject({ code: 'CODAT_UNAUTHORIZED', retryable: false });
  expect(unauthorized.action).toMatch(/CODAT_API_KEY/);
  expect(unauthorized.correlationId).toMatch(/^[0-9a-f]{32}$/);
  for (const text of [unauthorized.message, unauthorized.action]) {
    expect(text).not.toContain(wrongKey);
    expect(text).not.toContain(codat.apiKey);
  }

  expect(await refusal(client().integration('zzzz'))).toMatchObject({ code: 'CODAT_NOT_FOUND', retryable: false });
  codat.fail(503);
  expect(await refusal(client().integration())).toMatchObject({ code: 'CODAT_UNAVAILABLE', retryable: true });
  codat.fail(429);
  expect(await refusal(client().integration())).toMatchObject({ code: 'CODAT_RATE_LIMITED', retryable: true });
});

test('an unreachable Codat, or an answer that is not an Integration, is a clear retryable failure', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ key: 'suuo', name: 'Plaid', enabled: 'yes' }));
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  try {
    expect(await refusal(client(codat.apiKey, `http://127.0.0.1:${port}`).integration())).toMatchObject({ code: 'CODAT_BAD_RESPONSE', retryable: true });
  } finally {
    await closeServer(server);
  }
  const unreachable = await refusal(client(codat.apiKey, `http://127.0.0.1:${port}`).integration());
  expect(unreachable).toMatchObject({ code: 'CODAT_UNAVAILABLE', retryable: true, message: 'Codat could not be reached on GET /integrations/suuo.' });
});

test('CODAT_API_KEY is checked when read and never repeated', () => {
  expect(() => loadConfig({ CODAT_API_KEY: 'not a key!' })).toThrow(/CODAT_API_KEY: must be a Codat API key/);
  expect(() => loadConfig({ CODAT_API_KEY: 'not a key!' })).not.toThrow(/not a key/);
  expect(loadConfig({ CODAT_API_KEY: 'a'.repeat(40), CODAT_API_URL: 'http://127.0.0.1:9' }).codat).toEqual({ apiKey: 'a'.repeat(40), apiUrl: 'http://127.0.0.1:9', writeCredentials: false });
  expect(loadConfig({}).codat).toBeUndefined();
});
