/**
 * The Plaid client factory and error classification against the emulator through the
 * real SDK: environments, base URLs, timeouts, transport failures, and errors that are
 * safe to log although the SDK's own error carries the secret.
 */
import { randomBytes } from 'node:crypto';
import * as valibot from 'valibot';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { demoClient, PlaidEmulator, type EmulatedClient } from '../src/emulators/plaid';
import { isPlaidSetupError } from '../src/errors';
import { CALL_TRIES, verifyCredentials } from '../src/plaid/checks';
import { basePathFor, createPlaidClientFactory, type PlaidEndpoints } from '../src/plaid/client';
import { classifyPlaidError, PlaidCallError } from '../src/plaid/errors';
import { SecretValueSchema } from '../src/shared/schemas';
import { Vault } from '../src/vault/vault';

let plaid: PlaidEmulator;
let vault: Vault;
let client: EmulatedClient;
let endpoints: PlaidEndpoints;

beforeAll(async () => {
  plaid = await PlaidEmulator.start();
  vault = await Vault.open(path.join(mkdtempSync(path.join(tmpdir(), 'plaid-client-')), 'vault.sqlite'), { current: randomBytes(32) });
  client = demoClient();
  plaid.addClient(client);
  endpoints = { sandboxUrl: plaid.sandboxUrl, productionUrl: plaid.productionUrl, timeoutMs: 500 };
});
afterAll(async () => {
  await vault?.close();
  await plaid?.close();
});
afterEach(() => plaid.clearFaults());

async function sandboxApi(e: PlaidEndpoints = endpoints) {
  const ref = await vault.put('client', 'sandbox', valibot.parse(SecretValueSchema, client.secrets.sandbox));
  return (await createPlaidClientFactory(vault, e).create({ setupId: 'client', environment: 'sandbox', clientId: client.clientId, secret: ref })).api;
}

async function failure(run: Promise<unknown>): Promise<PlaidCallError> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(PlaidCallError);
    return err as PlaidCallError;
  }
  throw new Error('expected the call to fail');
}

const check = (api: Awaited<ReturnType<typeof sandboxApi>>) => verifyCredentials(api, { environment: 'sandbox', countryCodes: ['US'] });

test('only sandbox and production are accepted; Development is refused, not sent to Production', () => {
  for (const name of ['development', 'Sandbox', '']) {
    let thrown: unknown;
    try {
      basePathFor(name, { timeoutMs: 1 });
    } catch (err) {
      thrown = err;
    }
    expect(isPlaidSetupError(thrown, 'PLAID_ENVIRONMENT_UNSUPPORTED')).toBe(true);
  }
  expect(() => basePathFor('development', { timeoutMs: 1 })).toThrow(/use sandbox or production \(Plaid retired Development in June 2024\)/);
});

test("base URLs default to Plaid's and follow PLAID_SANDBOX_URL / PLAID_PRODUCTION_URL", () => {
  expect(basePathFor('sandbox', { timeoutMs: 1 })).toBe('https://sandbox.plaid.com');
  expect(basePathFor('production', { timeoutMs: 1 })).toBe('https://production.plaid.com');
  expect(basePathFor('sandbox', endpoints)).toBe(plaid.sandboxUrl);
  expect(basePathFor('production', endpoints)).toBe(plaid.productionUrl);
});

test('a secret missing from the vault is a vault error before anything reaches Plaid', async () => {
  const before = plaid.requests.length;
  await expect(
    createPlaidClientFactory(vault, endpoints).create({
      setupId: 'client',
      environment: 'sandbox',
      clientId: client.clientId,
      secret: { ref: 'vault:client/sandbox/v99', fingerprint: 'sha256:000000000000' },
    }),
  ).rejects.toMatchObject({ code: 'VAULT_NOT_FOUND' });
  expect(plaid.requests.length).toBe(before);
});

test('transport failures are retryable with their own codes', async () => {
  const api = await sandboxApi();
  plaid.inject('/institutions/get', { kind: 'timeout' }, { times: CALL_TRIES });
  expect(await failure(check(api))).toMatchObject({ code: 'PLAID_TIMEOUT', retryable: true });
  plaid.inject('/institutions/get', { kind: 'reset' }, { times: CALL_TRIES });
  expect(await failure(check(api))).toMatchObject({ code: 'PLAID_CONNECTION_RESET', retryable: true });

  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const unreachable = await sandboxApi({ ...endpoints, sandboxUrl: `http://127.0.0.1:${closed}` });
  const err = await failure(check(unreachable));
  expect(err).toMatchObject({ code: 'PLAID_UNREACHABLE', retryable: true });
  expect(err.message).toBe('Plaid Sandbox refused the connection on /institutions/get.');
});

test('a retryable failure is tried again within the call, up to CALL_TRIES times in all', async () => {
  const api = await sandboxApi();
  const calls = () => plaid.requests.filter((r) => r.path === '/institutions/get').length;
  const before = calls();
  plaid.inject('/institutions/get', { kind: 'status', status: 500 }, { times: CALL_TRIES - 1 });
  await expect(check(api)).resolves.toMatchObject({ keysAccepted: true });
  expect(calls() - before).toBe(CALL_TRIES);
});

test('Plaid error bodies keep code, type and request_id; retryable ones are marked so', async () => {
  const api = await sandboxApi();
  plaid.inject('/institutions/get', { kind: 'status', status: 429 }, { times: CALL_TRIES });
  const limited = await failure(check(api));
  expect(limited).toMatchObject({ retryable: true, details: { status: 429, errorType: 'RATE_LIMIT_EXCEEDED' } });
  expect(limited.requestId).toMatch(/^[A-Za-z0-9]{8,}$/);
  plaid.inject('/institutions/get', { kind: 'status', status: 500 }, { times: CALL_TRIES });
  expect(await failure(check(api))).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', retryable: true });
  plaid.inject('/institutions/get', { kind: 'status', status: 503 }, { times: CALL_TRIES });
  expect(await failure(check(api))).toMatchObject({ code: 'PLANNED_MAINTENANCE', retryable: true });
});

test("the SDK's error holds the secret; the classified error does not", async () => {
  // The Production secret entered as the Sandbox secret: Plaid answers INVALID_API_KEYS.
  const ref = await vault.put('client', 'sandbox', valibot.parse(SecretValueSchema, client.secrets.production!));
  const { api } = await createPlaidClientFactory(vault, endpoints).create({ setupId: 'client', environment: 'sandbox', clientId: client.clientId, secret: ref });
  let raw: unknown;
  try {
    await api.institutionsGet({ count: 1, offset: 0, country_codes: ['US' as never] });
  } catch (err) {
    raw = err;
  }
  // Why classification exists: the axios error carries PLAID-SECRET in its request config.
  expect(inspect(raw, { depth: 6 })).toContain(client.secrets.production);
  const classified = classifyPlaidError(raw, { environment: 'sandbox', endpoint: '/institutions/get' });
  const shown = [inspect(classified, { depth: 8, showHidden: true }), JSON.stringify(classified), classified.message, classified.action, classified.stack ?? ''];
  for (const text of shown) expect(text).not.toContain(client.secrets.production);
  expect(classified.retryable).toBe(false);
});

test('anything that is not a Plaid answer still becomes a safe, retryable error', () => {
  const err = classifyPlaidError(new Error('socket hang up'), { environment: 'production', endpoint: '/institutions/get' });
  expect(err).toMatchObject({ code: 'PLAID_UNREACHABLE', retryable: true });
  expect(err.message).toBe('Plaid Production could not be reached on /institutions/get.');
});
