/**
 * The Plaid checks through the workflow on a real Temporal dev server, against the Plaid
 * emulator through the plaid SDK: what each refusal tells the operator and how they fix
 * it, retries riding out a burst of failures, a killed worker leaving no Sandbox Item
 * behind, and no secret anywhere it could leak.
 */
import type { PlaidEmulator } from '../src/emulators/plaid';
import type { CountryCode } from '../src/shared/schemas';
import type { SetupState, StepState } from '../src/domain/state';
import { type Harness, actors, journeyToEnablement, newSecret, sdkLogLines, waitFor } from './support/harness';
import { spawnCli } from './support/processes';
import { useWorld } from './support/world';

const stepOf = (s: SetupState, id: string): StepState => s.steps.find((x) => x.id === id)!;

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

interface Settings {
  countryCodes?: CountryCode[];
  linkCustomizationName?: string;
}

/** Brings a setup to its Sandbox test and runs it; returns the state once the test ends. */
async function runSandboxTest(id: string, sandboxSecret?: string, settings: Settings = {}): Promise<SetupState> {
  await h.start(id);
  await h.act(id, 'confirmRedirect', { actor: actors.alice });
  await h.act(id, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(id, 'sandbox', sandboxSecret) });
  await h.act(id, 'updateSettings', { actor: actors.alice, syncMode: 'continuous', ...settings });
  return rerun(id);
}

async function rerun(id: string): Promise<SetupState> {
  await h.act(id, 'runSandboxTest', { actor: actors.alice });
  return h.until(id, (s) => !s.job, 'the Sandbox test to end');
}

const paths = () => h.plaidCalls().map((c) => `${c.path} ${c.status}`);

test('a good Sandbox run proves keys, Link configuration and an Item, and shows the evidence', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const state = await runSandboxTest('good', undefined, { countryCodes: ['US', 'GB'] });
    const step = stepOf(state, 'sandbox_test');
    expect(step.status).toBe('done');
    expect(step.detail).toBe('Sandbox test passed.');
    expect(step.evidence).toMatchObject({
      environment: 'sandbox',
      keysAccepted: true,
      productsEnabled: 'auth,identity,transactions,assets',
      redirectUriAllowed: 'https://plaid.codat.io/oauth/callback',
      countriesEnabled: 'US,GB',
      institution: 'First Platypus Bank',
      institutionId: 'ins_109508',
      itemRemoved: true,
    });
    for (const key of ['institutionsAvailable', 'accounts', 'transactions', 'syncPolls', 'keysMs', 'linkMs', 'smokeMs']) {
      expect(typeof step.evidence?.[key]).toBe('number');
    }
    expect(step.evidence?.transactions).toBeGreaterThan(0);
    // The next step says what to enter in Codat, and that Codat takes one banking integration at a time.
    expect(stepOf(state, 'codat_portal').detail).toMatch(/one banking integration at a time: disable any other one there before enabling Plaid/);
    for (const key of ['keysRequestId', 'linkRequestId', 'itemRequestId']) expect(step.evidence?.[key]).toMatch(/^[A-Za-z0-9]{8,}$/);
    // The first sync was not ready, so the test polled; no token reached the state.
    expect(step.evidence?.syncPolls).toBeGreaterThan(1);
    expect(JSON.stringify(state)).not.toMatch(/(access|public|link)-sandbox-/);
    expect(paths()).toEqual(
      expect.arrayContaining(['/institutions/get 200', '/link/token/create 200', '/sandbox/public_token/create 200', '/item/remove 200']),
    );
    expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
  });
});

describe('a refused check fails its step with what to fix, and passes once it is fixed', () => {
  test('INVALID_API_KEYS: the Sandbox secret is wrong', async () => {
    const worker = await h.worker();
    await worker.runUntil(async () => {
      const failed = await runSandboxTest('keys', newSecret());
      const step = stepOf(failed, 'sandbox_test');
      expect(step.status).toBe('failed');
      expect(step.error).toMatchObject({ code: 'INVALID_API_KEYS' });
      expect(step.error?.message).toMatch(/Plaid Sandbox rejected the client_id and Sandbox secret/);
      expect(step.error?.action).toMatch(/Copy the client_id and the Sandbox secret again from Plaid Dashboard > Team Settings > Keys/);
      expect(step.error?.requestId).toMatch(/^[A-Za-z0-9]{8,}$/);
      expect(failed.lastError).toMatchObject({ step: 'sandbox_test', code: 'INVALID_API_KEYS' });
      // Not retryable: Plaid was asked once.
      expect(paths()).toEqual(['/institutions/get 400']);

      await h.act('keys', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('keys', 'sandbox') });
      const passed = await rerun('keys');
      expect(stepOf(passed, 'sandbox_test').status).toBe('done');
      expect(passed.lastError).toBeUndefined();
    });
  });

  test('INVALID_FIELD: the redirect URI is not on the allow-list', async () => {
    plaid.updateClient(h.clientId, { allowedRedirectUris: ['https://example.com/callback'] });
    const worker = await h.worker();
    await worker.runUntil(async () => {
      const failed = await runSandboxTest('redirect');
      const step = stepOf(failed, 'sandbox_test');
      expect(step).toMatchObject({ status: 'failed', error: { code: 'INVALID_FIELD' } });
      expect(step.error?.message).toMatch(/refused the redirect URI https:\/\/plaid\.codat\.io\/oauth\/callback/);
      expect(step.error?.action).toBe(
        'Add https://plaid.codat.io/oauth/callback under Team Settings > API > Allowed redirect URIs in the Plaid Dashboard, then run the check again.',
      );

      plaid.updateClient(h.clientId, { allowedRedirectUris: ['https://plaid.codat.io/oauth/callback'] });
      expect(stepOf(await rerun('redirect'), 'sandbox_test').status).toBe('done');
    });
  });

  test('INVALID_FIELD: a country code is not enabled for the client', async () => {
    plaid.updateClient(h.clientId, { enabledCountries: { sandbox: ['US', 'CA'], production: ['US', 'CA'] } });
    const worker = await h.worker();
    await worker.runUntil(async () => {
      const failed = await runSandboxTest('countries', undefined, { countryCodes: ['US', 'FR'] });
      const step = stepOf(failed, 'sandbox_test');
      expect(step).toMatchObject({ status: 'failed', error: { code: 'INVALID_FIELD' } });
      expect(step.error?.message).toMatch(/refused the country codes US,FR/);
      expect(step.error?.action).toMatch(/choose only enabled countries in the settings step/);

      await h.act('countries', 'updateSettings', { actor: actors.alice, syncMode: 'continuous', countryCodes: ['US'] });
      expect(stepOf(await rerun('countries'), 'sandbox_test').status).toBe('done');
    });
  });

  test('INVALID_PRODUCT: the Plaid team lacks products Codat needs, one sentence for each', async () => {
    const sandboxProducts = plaid.client(h.clientId)?.enabledProducts.sandbox ?? [];
    plaid.updateClient(h.clientId, {
      enabledProducts: { sandbox: sandboxProducts.filter((p) => p !== 'identity' && p !== 'assets'), production: ['auth', 'identity', 'transactions', 'assets'] },
    });
    const worker = await h.worker();
    await worker.runUntil(async () => {
      const failed = await runSandboxTest('products');
      const step = stepOf(failed, 'sandbox_test');
      expect(step).toMatchObject({ status: 'failed', error: { code: 'INVALID_PRODUCT' } });
      expect(step.error?.message).toBe('This Plaid team may not use every product Codat needs in Sandbox: identity, assets (INVALID_PRODUCT).');
      expect(step.error?.action).toBe(
        'Identity (Codat reads the account holder with it): enable it for the team in the Plaid Dashboard (Products). ' +
          'Assets (Codat reads balances and history for asset reports with it): enable it for the team in the Plaid Dashboard (Products). ' +
          'Then run the check again.',
      );
      // Refused before any Item was made.
      expect(paths()).toEqual(['/institutions/get 200', '/link/token/create 400']);

      plaid.updateClient(h.clientId, { enabledProducts: { sandbox: sandboxProducts, production: ['auth', 'identity', 'transactions', 'assets'] } });
      expect(stepOf(await rerun('products'), 'sandbox_test').status).toBe('done');
    });
  });

  test('an unknown Link customization', async () => {
    const worker = await h.worker();
    await worker.runUntil(async () => {
      const failed = await runSandboxTest('custom', undefined, { linkCustomizationName: 'brand-x' });
      const step = stepOf(failed, 'sandbox_test');
      expect(step.status).toBe('failed');
      expect(step.error?.message).toMatch(/does not know the Link customization "brand-x"/);
      expect(step.error?.action).toMatch(/Link > Link customization in the Plaid Dashboard/);

      plaid.updateClient(h.clientId, { linkCustomizations: ['brand-x'] });
      const passed = await rerun('custom');
      expect(stepOf(passed, 'sandbox_test')).toMatchObject({ status: 'done', evidence: { linkCustomization: 'brand-x' } });
    });
  });

  test('UNAUTHORIZED_ENVIRONMENT: Production access not granted yet', async () => {
    plaid.updateClient(h.clientId, { productionAccess: false });
    const worker = await h.worker();
    await worker.runUntil(async () => {
      await h.start('unauthorised');
      await journeyToEnablement(h, 'unauthorised').catch(() => undefined);
      const failed = await h.until('unauthorised', (s) => stepOf(s, 'production_secret').status === 'failed');
      const step = stepOf(failed, 'production_secret');
      expect(step.error).toMatchObject({ code: 'UNAUTHORIZED_ENVIRONMENT' });
      expect(step.error?.action).toMatch(/Migrate to Production/);
      expect(failed.data.productionSecret).toBeUndefined();

      plaid.updateClient(h.clientId, { productionAccess: true });
      await h.act('unauthorised', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('unauthorised', 'production') });
      const verified = await h.until('unauthorised', (s) => !s.job);
      expect(verified.data.productionSecret).toBeDefined();
      expect(stepOf(verified, 'production_secret').error).toBeUndefined();
    });
  });
});

test('a burst of 429s, 500s, a 503 and a timeout is ridden out by retries in the call and by Temporal', async () => {
  plaid.inject('/institutions/get', { kind: 'status', status: 429 }, { times: 2 });
  plaid.inject('/link/token/create', { kind: 'timeout' }, { times: 1 });
  // Exchange fails once and is not repeated (Plaid may have done it): the attempt fails, and
  // the next one's cleanup exchanges the recorded public token itself. The 500s on accounts
  // and on removal and the 503 on sync are tried again within their attempt.
  plaid.inject('/item/public_token/exchange', { kind: 'status', status: 500 }, { times: 1 });
  plaid.inject('/accounts/get', { kind: 'status', status: 500 }, { times: 1 });
  plaid.inject('/item/remove', { kind: 'status', status: 500 }, { times: 1 });
  plaid.inject('/transactions/sync', { kind: 'status', status: 503 }, { times: 1 });
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const state = await runSandboxTest('burst');
    expect(stepOf(state, 'sandbox_test').status).toBe('done');
  });
  const calls = paths();
  expect(calls.filter((c) => c === '/institutions/get 429')).toHaveLength(2);
  expect(calls).toContain('/accounts/get 500');
  expect(calls).toContain('/transactions/sync 503');
  expect(calls).toContain('/item/public_token/exchange 500');
  expect(calls).toContain('/item/remove 500');
  // Two smoke-test attempts, two Items, both removed.
  expect(plaid.items().filter((i) => i.clientId === h.clientId)).toHaveLength(2);
  expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
  // The timed-out Link call was sent again within its attempt.
  expect(calls.filter((c) => c.startsWith('/link/token/create'))).toHaveLength(2);
  // The failed removal was sent again at once: no Item waited for a later attempt.
  expect(h.logLines.some((l) => l.includes('sandbox item left for the next attempt to remove'))).toBe(false);
});

test('a worker killed during the smoke test leaves no Item behind', async () => {
  // Hold the first sync so the smoke test is mid-flight, with an Item created, when killed.
  plaid.setLatency('/transactions/sync', 60_000, { flavour: 'sandbox' });
  const killed = spawnCli(h, ['worker'], { LOG_LEVEL: 'warn' });
  void killed.exited.then(({ code, signal }) => {
    if (signal !== 'SIGKILL') process.stderr.write(`worker process exited early (${code ?? signal}):\n${killed.output()}\n`);
  });
  try {
    await h.start('killed');
    await h.act('killed', 'confirmRedirect', { actor: actors.alice });
    await h.act('killed', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('killed', 'sandbox') });
    await h.act('killed', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('killed', 'runSandboxTest', { actor: actors.alice });
    await waitFor(
      () => plaid.items().filter((i) => i.clientId === h.clientId && i.exchanged),
      (items) => items.length === 1,
      'the smoke test to create and exchange an Item',
    );
    await waitFor(() => h.plaidCalls().some((c) => c.path === '/accounts/get'), Boolean, 'the smoke test to read accounts');
  } finally {
    killed.child.kill('SIGKILL');
  }
  plaid.clearFaults();
  expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toHaveLength(1);

  // A new worker picks the check up once the dead one's heartbeat times out.
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const state = await h.until('killed', (s) => !s.job, 'the retried smoke test');
    expect(stepOf(state, 'sandbox_test')).toMatchObject({ status: 'done', evidence: { leftoverItemsRemoved: 1, itemRemoved: true } });
  });
  expect(plaid.items().filter((i) => i.clientId === h.clientId)).toHaveLength(2);
  expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
});


test('a bad Production secret never replaces a good one', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('prod');
    await journeyToEnablement(h, 'prod');
    await h.act('prod', 'enable', { actor: actors.alice });
    const good = (await h.state('prod')).data.productionSecret!;

    // The Sandbox secret is not the Production secret.
    await h.act('prod', 'rotateSecret', { actor: actors.alice, kind: 'production', secret: await h.secret('prod', 'production', h.client.secrets.sandbox) });
    const state = await h.until('prod', (s) => s.rotation?.status === 'failed');
    expect(state.data.productionSecret).toEqual(good);
    expect(state.enabled).toBe(true);
    expect(state.rotation?.error).toMatchObject({ code: 'INVALID_API_KEYS' });
    expect(state.rotation?.error?.message).toMatch(/Plaid Production rejected the client_id and Production secret/);
    expect(state.rotation?.error?.action).toMatch(/it differs from the Sandbox secret/);
    expect(state.lastError).toMatchObject({ step: 'rotation' });
  });
});

test('no secret reaches history, logs, errors, state or the emulator log', async () => {
  const wrongSandbox = newSecret();
  const wrongProduction = newSecret();
  let finalState: SetupState | undefined;
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await runSandboxTest('leak', wrongSandbox);
    await h.act('leak', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('leak', 'sandbox') });
    await rerun('leak');
    await h.act('leak', 'confirmCodat', { actor: actors.alice });
    await h.act('leak', 'requestProduction', { actor: actors.alice });
    await h.act('leak', 'approveProduction', { actor: actors.bob });
    await h.act('leak', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('leak', 'production', wrongProduction) });
    await h.until('leak', (s) => stepOf(s, 'production_secret').status === 'failed');
    await h.act('leak', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('leak', 'production') });
    finalState = await h.until('leak', (s) => !s.job && stepOf(s, 'production_secret').status === 'in_progress');
  });
  const secrets = [...new Set([...h.submittedSecrets, h.client.secrets.sandbox, h.client.secrets.production!])];
  expect(secrets).toContain(wrongSandbox);
  expect(secrets).toContain(wrongProduction);
  const history = await h.historyJson('leak');
  // The scan reads the failures too: they are in history with their sentences.
  expect(history).toContain('INVALID_API_KEYS');
  const places = {
    history,
    state: JSON.stringify(finalState),
    logs: h.logLines.join('\n'),
    sdkLogs: sdkLogLines().join('\n'),
    emulatorLog: JSON.stringify(plaid.requests),
  };
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) expect({ place, leaked: text.includes(secret) }).toEqual({ place, leaked: false });
  }
});
