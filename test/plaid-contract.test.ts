/**
 * Contract tests: every request our checks send through the plaid SDK, and every answer
 * the emulator gives (successes and each kind of refusal or fault), validated against
 * Plaid's published OpenAPI spec. The emulator must not invent fields the spec lacks.
 * Skipped, with the reason printed, where the spec file is not beside the repo.
 */
import { mkdtempSync } from 'node:fs';
import * as valibot from 'valibot';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { demoClient, PlaidEmulator, type EmulatedClient } from '../src/emulators/plaid';
import { CALL_TRIES, checkLinkConfiguration, sandboxSmokeTest, verifyCredentials } from '../src/plaid/checks';
import { createPlaidClientFactory } from '../src/plaid/client';
import { PlaidCallError } from '../src/plaid/errors';
import { SecretValueSchema, type PlaidEnvironment } from '../src/shared/schemas';
import { Vault } from '../src/vault/vault';
import { newSecret } from './support/harness';
import { loadPlaidSpec, PLAID_SPEC_PATH } from './support/plaid-spec';

const spec = loadPlaidSpec();
const reason = `Plaid's OpenAPI spec is not at ${PLAID_SPEC_PATH}`;
if (!spec) console.warn(`Contract tests skipped: ${reason}.`);

(spec ? describe : describe.skip)(spec ? "requests and responses match Plaid's published spec" : `contract tests skipped: ${reason}`, () => {
  let plaid: PlaidEmulator;
  let vault: Vault;
  let client: EmulatedClient;

  beforeAll(async () => {
    plaid = await PlaidEmulator.start({ transactionsNotReadyPolls: 1 });
    vault = await Vault.open(path.join(mkdtempSync(path.join(tmpdir(), 'plaid-contract-')), 'vault.sqlite'), { current: randomBytes(32) });
    client = demoClient({ linkCustomizations: ['codat'] });
    plaid.addClient(client);
  });
  afterAll(async () => {
    await vault?.close();
    await plaid?.close();
  });

  async function api(environment: PlaidEnvironment, secret: string) {
    const ref = await vault.put('contract', environment, valibot.parse(SecretValueSchema, secret));
    const factory = createPlaidClientFactory(vault, { sandboxUrl: plaid.sandboxUrl, productionUrl: plaid.productionUrl, timeoutMs: 1_000 });
    return (await factory.create({ setupId: 'contract', environment, clientId: client.clientId, secret: ref })).api;
  }

  const refused = (run: Promise<unknown>) =>
    run.then(
      () => {
        throw new Error('expected a refusal');
      },
      (err: unknown) => {
        expect(err).toBeInstanceOf(PlaidCallError);
        return err as PlaidCallError;
      },
    );

  test('every exchange of every kind validates, and the emulator adds no undeclared field', async () => {
    const sandbox = await api('sandbox', client.secrets.sandbox);
    const production = await api('production', client.secrets.production!);
    const ledger = vault.itemLedger();

    // Successes.
    await verifyCredentials(sandbox, { environment: 'sandbox', countryCodes: ['US', 'GB'] });
    await verifyCredentials(production, { environment: 'production', countryCodes: ['US', 'CA'] });
    await checkLinkConfiguration(sandbox, { environment: 'sandbox', setupId: 'contract', countryCodes: ['US'], linkCustomizationName: 'codat' });
    await sandboxSmokeTest(sandbox, 'contract', { ledger, syncPoll: { intervalMs: 10, attempts: 5 } });

    // Refusals Plaid gives, each classified.
    const wrong = await api('sandbox', newSecret());
    expect((await refused(verifyCredentials(wrong, { environment: 'sandbox', countryCodes: ['US'] }))).code).toBe('INVALID_API_KEYS');
    const sandboxKeyInProduction = await api('production', client.secrets.sandbox);
    expect((await refused(verifyCredentials(sandboxKeyInProduction, { environment: 'production', countryCodes: ['US'] }))).code).toBe('INVALID_API_KEYS');
    expect((await refused(checkLinkConfiguration(sandbox, { environment: 'sandbox', setupId: 'contract', countryCodes: ['US'], linkCustomizationName: 'nope' }))).retryable).toBe(false);
    plaid.updateClient(client.clientId, { allowedRedirectUris: [] });
    expect((await refused(checkLinkConfiguration(sandbox, { environment: 'sandbox', setupId: 'contract', countryCodes: ['US'] }))).action).toMatch(/Allowed redirect URIs/);
    plaid.updateClient(client.clientId, { allowedRedirectUris: ['https://plaid.codat.io/oauth/callback'], enabledCountries: { sandbox: ['US'], production: ['US'] } });
    expect((await refused(checkLinkConfiguration(sandbox, { environment: 'sandbox', setupId: 'contract', countryCodes: ['US', 'NL'] }))).message).toMatch(/country codes US,NL/);
    plaid.updateClient(client.clientId, { productionAccess: false });
    expect((await refused(verifyCredentials(production, { environment: 'production', countryCodes: ['US'] }))).code).toBe('UNAUTHORIZED_ENVIRONMENT');
    plaid.updateClient(client.clientId, { productionAccess: true });

    // Faults, each retryable.
    for (const status of [429, 500, 503] as const) {
      plaid.inject('/institutions/get', { kind: 'status', status }, { times: CALL_TRIES });
      expect((await refused(verifyCredentials(sandbox, { environment: 'sandbox', countryCodes: ['US'] }))).retryable).toBe(true);
    }

    const seen = new Set<string>();
    for (const r of plaid.requests) {
      seen.add(`${r.path} ${r.status}`);
      const label = `${r.flavour} ${r.path} -> ${r.status}`;
      expect({ label, request: spec!.validateRequest(r.path, r.body).errors }).toEqual({ label, request: [] });
      expect({ label, response: spec!.validateResponse(r.path, r.status, r.response).errors }).toEqual({ label, response: [] });
      expect({ label, undeclared: spec!.undeclaredResponseFields(r.path, r.status, r.response) }).toEqual({ label, undeclared: [] });
    }
    for (const p of ['/institutions/get', '/link/token/create', '/sandbox/public_token/create', '/item/public_token/exchange', '/accounts/get', '/transactions/sync', '/item/remove']) {
      expect(seen).toContain(`${p} 200`);
    }
    for (const s of ['/institutions/get 400', '/link/token/create 400', '/institutions/get 429', '/institutions/get 500', '/institutions/get 503']) {
      expect(seen).toContain(s);
    }
  });
});
