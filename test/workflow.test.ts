/**
 * The checklist on a real Temporal dev server, its checks answered by the Plaid emulator:
 * the journey, the validators, re-opening, a worker restart, continue-as-new, and what
 * reaches history. Plaid failures and retries have their own file, plaid-checks.test.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { demoClient, type PlaidEmulator } from '../src/emulators/plaid';
import { searchAttributes, workflowIdFor } from '../src/shared/messages';
import type { SetupState } from '../src/domain/state';
import { type Harness, actors, journeyToEnablement, newSecret, sdkLogLines } from './support/harness';
import { useWorld } from './support/world';

const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;

let env: TestWorkflowEnvironment;
let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ env, plaid, h } = w), {
  // A low threshold makes Temporal suggest continue-as-new quickly, so it is exercised.
  serverArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=150'],
});

test('the whole journey from start to enabled, then toggles, rotation and cancel', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('acme');
    let state = await h.state('acme');
    expect(state.currentStep).toBe('application');
    expect(state.steps.map((s) => [s.id, s.status])).toEqual([
      ['application', 'waiting'],
      ['sandbox_credentials', 'waiting'],
      ['settings', 'waiting'],
      ['sandbox_test', 'waiting'],
      ['codat_portal', 'waiting'],
      ['production_request', 'waiting'],
      ['production_approval', 'waiting'],
      ['production_secret', 'waiting'],
      ['enablement', 'waiting'],
    ]);

    await journeyToEnablement(h, 'acme');
    state = await h.state('acme');
    expect(state.currentStep).toBe('enablement');
    expect(state.data.environment).toBe('production');
    // The operator chose US and GB; that choice holds in production too.
    expect(state.data.countryCodes).toEqual(['US', 'GB']);
    // The evidence itself is examined in plaid-checks.test.ts.
    expect(stepOf(state, 'sandbox_test').evidence).toMatchObject({ countriesEnabled: 'US,GB', itemRemoved: true });
    expect(stepOf(state, 'production_secret').evidence).toMatchObject({ environment: 'production', keysAccepted: true });
    expect(stepOf(state, 'production_approval').actor).toMatchObject({ id: actors.bob.id });
    const calls = h.plaidCalls();
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect([...new Set(calls.map((c) => `${c.flavour} ${c.path}`))]).toEqual([
      'sandbox /institutions/get',
      'sandbox /link/token/create',
      'sandbox /sandbox/public_token/create',
      'sandbox /item/public_token/exchange',
      'sandbox /accounts/get',
      'sandbox /transactions/sync',
      'sandbox /item/remove',
      'production /institutions/get',
    ]);
    expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
    expect(h.notifications.map((n) => n.kind)).toEqual(['approval_requested']);

    state = await h.act('acme', 'enable', { actor: actors.alice });
    expect(state.enabled).toBe(true);
    expect(state.currentStep).toBeNull();
    expect(stepOf(state, 'enablement')).toMatchObject({ status: 'done', actor: { id: actors.alice.id } });

    state = await h.act('acme', 'disable', { actor: actors.olga, reason: 'maintenance' });
    expect(state.enabled).toBe(false);
    state = await h.act('acme', 'enable', { actor: actors.olga });
    expect(state.enabled).toBe(true);

    const oldProduction = state.data.productionSecret!;
    // Plaid issues a new Production secret; the rotation proves it before it replaces the old one.
    const newProduction = newSecret();
    plaid.updateClient(h.clientId, { secrets: { sandbox: h.client.secrets.sandbox, production: newProduction } });
    const rotated = await h.secret('acme', 'production', newProduction);
    await h.act('acme', 'rotateSecret', { actor: actors.alice, kind: 'production', secret: rotated });
    state = await h.until('acme', (s) => s.rotation?.status === 'done', 'rotation');
    expect(state.data.productionSecret).toEqual(rotated);
    expect(rotated.fingerprint).not.toBe(oldProduction.fingerprint);

    const [step, environment, enabled] = await (async () => {
      const d = await h.handle('acme').describe();
      return [d.typedSearchAttributes.get(searchAttributes.step), d.typedSearchAttributes.get(searchAttributes.environment), d.typedSearchAttributes.get(searchAttributes.enabled)];
    })();
    expect([step, environment, enabled]).toEqual(['complete', 'production', true]);

    // An enabled integration is disabled before its setup can be cancelled.
    expect((await h.refused('acme', 'cancel', { actor: actors.alice })).message).toMatch(/Can't cancel while the integration is enabled/);
    await h.act('acme', 'disable', { actor: actors.alice, reason: 'moving on' });
    state = await h.act('acme', 'cancel', { actor: actors.alice, reason: 'moving to another aggregator' });
    expect(state.status).toBe('cancelled');
    expect(await h.handle('acme').result()).toMatchObject({ setupId: 'acme', status: 'cancelled' });
  });

  // Every secret submitted is absent from the raw history; fingerprints are present.
  const history = await h.historyJson('acme');
  for (const secret of h.submittedSecrets) expect(history).not.toContain(secret);
  expect(history).toContain('sha256:');
  for (const secret of h.submittedSecrets) expect(h.logLines.join('')).not.toContain(secret);
});

test('a second start of the same name is refused while the first runs', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('dup');
    await expect(h.start('dup')).rejects.toThrow(/already started/i);
  });
});

describe('validators: a refused action changes nothing and leaves nothing in history', () => {
  test('each refusal says what to do, and neither version nor history moves', async () => {
    const worker = await h.worker();
    await worker.runUntil(async () => {
      await h.start('strict');
      const before = await h.state('strict');
      const historyBefore = (await h.handle('strict').fetchHistory()).events?.length;

      const outOfOrder = await h.refused('strict', 'runSandboxTest', { actor: actors.alice });
      expect(outOfOrder.code).toBe('OUT_OF_ORDER');
      expect(outOfOrder.message).toMatch(/Plaid application.*waiting.*redirect/);

      const forbidden = await h.refused('strict', 'confirmRedirect', { actor: actors.dave });
      expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
      expect(forbidden.message).toMatch(/not an operator.*PLAID_SETUP_OPERATORS/);

      await h.act('strict', 'confirmRedirect', { actor: actors.alice });
      await h.act('strict', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('strict', 'sandbox') });
      const afterAccepted = await h.state('strict');

      const badCountry = await h.refused('strict', 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'DE'], syncMode: 'continuous' });
      expect(badCountry).toMatchObject({ code: 'INVALID_INPUT' });
      expect(badCountry.message).toMatch(/DE is not supported; use any of US, CA, ES, FR, GB, IE, NL/);

      const development = await h.refused('strict', 'updateSettings', { actor: actors.alice, environment: 'development', syncMode: 'continuous' });
      expect(development.message).toMatch(/development environment was retired by Plaid in June 2024/);

      const earlyProduction = await h.refused('strict', 'updateSettings', { actor: actors.alice, environment: 'production', syncMode: 'continuous' });
      expect(earlyProduction.code).toBe('OUT_OF_ORDER');

      const badSchema = await h.refused('strict', 'submitCredentials', {
        actor: actors.alice,
        clientId: 'not-a-client-id',
        sandboxSecret: { ref: 'vault:strict/sandbox/v1', fingerprint: 'sha256:000000000000' },
      });
      expect(badSchema.message).toMatch(/clientId: a Plaid client_id is 24 hexadecimal characters/);

      const badSync = await h.refused('strict', 'updateSettings', { actor: actors.alice, syncMode: 'hourly' as never });
      expect(badSync.message).toMatch(/syncMode: sync mode is continuous or one-off/);

      const after = await h.state('strict');
      expect(after.version).toBe(afterAccepted.version);
      expect(after).toEqual(afterAccepted);
      const events = (await h.handle('strict').fetchHistory()).events ?? [];
      // Only the two accepted updates were written; no refused one left a trace.
      const accepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toEqual([
        'confirmRedirect',
        'submitCredentials',
      ]);
      expect(events.some((e) => e.workflowExecutionUpdateRejectedEventAttributes)).toBe(false);
      expect(before.version).toBe(1);
      expect(historyBefore).toBeGreaterThan(0);
    });
  });

  test('four eyes: the requester cannot approve or reject; a non-approver cannot decide', async () => {
    const worker = await h.worker();
    await worker.runUntil(async () => {
      await h.start('four-eyes');
      await h.act('four-eyes', 'confirmRedirect', { actor: actors.carol });
      await h.act('four-eyes', 'submitCredentials', { actor: actors.carol, clientId: h.clientId, sandboxSecret: await h.secret('four-eyes', 'sandbox') });
      await h.act('four-eyes', 'updateSettings', { actor: actors.carol, syncMode: 'one-off' });
      await h.act('four-eyes', 'runSandboxTest', { actor: actors.carol });
      await h.until('four-eyes', (s) => stepOf(s, 'sandbox_test').status === 'done');
      await h.act('four-eyes', 'confirmCodat', { actor: actors.carol });

      const early = await h.refused('four-eyes', 'approveProduction', { actor: actors.bob });
      expect(early.message).toMatch(/no production request waiting/);

      await h.act('four-eyes', 'requestProduction', { actor: actors.carol, note: 'ready' });
      const self = await h.refused('four-eyes', 'approveProduction', { actor: actors.carol });
      expect(self).toMatchObject({ code: 'SELF_APPROVAL' });
      expect(self.message).toMatch(/Carol requested production and cannot also decide on it/);
      const selfReject = await h.refused('four-eyes', 'rejectProduction', { actor: actors.carol, reason: 'changed my mind' });
      expect(selfReject.code).toBe('SELF_APPROVAL');
      const operator = await h.refused('four-eyes', 'approveProduction', { actor: actors.alice });
      expect(operator.message).toMatch(/not an approver.*PLAID_SETUP_APPROVERS/);
      const noReason = await h.refused('four-eyes', 'rejectProduction', { actor: actors.bob, reason: '' });
      expect(noReason.message).toMatch(/reason/);

      let state = await h.act('four-eyes', 'rejectProduction', { actor: actors.bob, reason: 'Plaid has not approved the app yet' });
      expect(stepOf(state, 'production_approval')).toMatchObject({ status: 'failed', error: { code: 'PRODUCTION_REJECTED' } });
      expect(stepOf(state, 'production_request').status).toBe('waiting');
      expect(state.lastError?.message).toMatch(/Bob rejected the production request: Plaid has not approved/);
      const secretTooEarly = await h.refused('four-eyes', 'submitProductionSecret', {
        actor: actors.carol,
        secret: await h.secret('four-eyes', 'production'),
      });
      expect(secretTooEarly.message).toMatch(/step "Production request" is waiting/);

      await h.act('four-eyes', 'requestProduction', { actor: actors.alice });
      state = await h.act('four-eyes', 'approveProduction', { actor: actors.carol, comment: 'looks good' });
      expect(state.production).toMatchObject({ decision: 'approved', decidedBy: { id: actors.carol.id }, requestedBy: { id: actors.alice.id } });
      expect(state.lastError).toBeUndefined();
    });
  });
});

test('changing credentials or settings re-opens the checks that depend on them', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('reopen');
    await journeyToEnablement(h, 'reopen');

    plaid.updateClient(h.clientId, { linkCustomizations: ['codat'] });
    let state = await h.act('reopen', 'updateSettings', { actor: actors.alice, countryCodes: ['CA'], syncMode: 'continuous', linkCustomizationName: 'codat' });
    expect(stepOf(state, 'sandbox_test')).toMatchObject({ status: 'waiting' });
    expect(stepOf(state, 'sandbox_test').detail).toMatch(/Re-opened: settings changed by Alice/);
    expect(stepOf(state, 'codat_portal').status).toBe('waiting');
    // The approval covered other countries and no Link customization: it no longer stands.
    expect(state.production).toMatchObject({ id: 'pr-1', decision: 'superseded' });
    expect(stepOf(state, 'production_request').status).toBe('waiting');
    expect(stepOf(state, 'production_approval').detail).toMatch(/Re-opened: country codes, Link customization changed by Alice after production request pr-1/);
    // The verified Production secret belongs to the unchanged client_id and stays.
    expect(stepOf(state, 'production_secret').status).toBe('done');
    expect(state.currentStep).toBe('sandbox_test');
    expect((await h.refused('reopen', 'enable', { actor: actors.alice })).message).toMatch(/Sandbox test/);

    await h.act('reopen', 'runSandboxTest', { actor: actors.alice });
    await h.until('reopen', (s) => stepOf(s, 'sandbox_test').status === 'done');
    const link = plaid.requests.filter((r) => r.clientId === h.clientId && r.path === '/link/token/create').at(-1);
    expect(link?.body).toMatchObject({ country_codes: ['CA'], link_customization_name: 'codat' });
    await h.act('reopen', 'confirmCodat', { actor: actors.alice, step: 'codat_portal' });
    // Production waits for a new request (enabling now would be the Sandbox phase, sandbox-first.test.ts).
    expect(stepOf(await h.state('reopen'), 'production_request').status).toBe('waiting');
    await h.act('reopen', 'requestProduction', { actor: actors.alice });
    state = await h.act('reopen', 'approveProduction', { actor: actors.bob });
    expect(state.production).toMatchObject({ id: 'pr-2', decision: 'approved', subject: { countryCodes: ['CA'], linkCustomizationName: 'codat' } });

    // A new client_id invalidates the Production secret, which belongs to the old one.
    const other = demoClient({ linkCustomizations: ['codat'] });
    plaid.addClient(other);
    state = await h.act('reopen', 'submitCredentials', {
      actor: actors.alice,
      clientId: other.clientId,
      sandboxSecret: await h.secret('reopen', 'sandbox', other.secrets.sandbox),
    });
    expect(stepOf(state, 'production_secret').status).toBe('waiting');
    expect(state.data.productionSecret).toBeUndefined();
    expect(stepOf(state, 'sandbox_test').status).toBe('waiting');

    // While enabled, credentials and settings are locked.
    await journeyFromSandboxTest('reopen', other.secrets.production!);
    await h.act('reopen', 'enable', { actor: actors.alice });
    const locked = await h.refused('reopen', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    expect(locked.message).toMatch(/while the integration is enabled; disable it first/);
  });

  async function journeyFromSandboxTest(id: string, productionSecret: string) {
    await h.act(id, 'runSandboxTest', { actor: actors.alice });
    await h.until(id, (s) => stepOf(s, 'sandbox_test').status === 'done');
    await h.act(id, 'confirmCodat', { actor: actors.alice });
    // The new client_id was never approved: production is requested and approved again.
    await h.act(id, 'requestProduction', { actor: actors.alice });
    await h.act(id, 'approveProduction', { actor: actors.bob });
    await h.act(id, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(id, 'production', productionSecret) });
    await h.until(id, (s) => stepOf(s, 'production_secret').detail?.includes('verified') === true);
    await h.act(id, 'confirmCodat', { actor: actors.alice, step: 'production_secret' });
  }
});

test('a missing or tampered vault secret fails the check with a clear reason', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('lost');
    await h.act('lost', 'confirmRedirect', { actor: actors.alice });
    await h.act('lost', 'submitCredentials', {
      actor: actors.alice,
      clientId: h.clientId,
      sandboxSecret: { ref: 'vault:lost/sandbox/v9', fingerprint: 'sha256:0123456789ab' },
    });
    await h.act('lost', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('lost', 'runSandboxTest', { actor: actors.alice });
    const state = await h.until('lost', (s) => stepOf(s, 'sandbox_test').status === 'failed');
    expect(stepOf(state, 'sandbox_test').error).toMatchObject({ code: 'VAULT_NOT_FOUND' });
    expect(stepOf(state, 'sandbox_test').error?.message).toMatch(/not in the vault; submit the secret again/);
    expect(h.plaidCalls()).toHaveLength(0);
  });
});

test('a worker stopped mid-check hands the check to the next worker, which finishes the journey', async () => {
  // Slow Plaid down so the smoke test is mid-flight when the first worker stops.
  plaid.setLatency('/transactions/sync', 1_500, { flavour: 'sandbox' });
  const first = await h.worker();
  await first.runUntil(async () => {
    await h.start('restart');
    await h.act('restart', 'confirmRedirect', { actor: actors.alice });
    await h.act('restart', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('restart', 'sandbox') });
    await h.act('restart', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('restart', 'runSandboxTest', { actor: actors.alice });
    await waitForCall('/accounts/get');
  });
  plaid.clearFaults();
  const second = await h.worker();
  await second.runUntil(async () => {
    const state = await h.until('restart', (s) => stepOf(s, 'sandbox_test').status === 'done', 'the retried check');
    expect(state.currentStep).toBe('codat_portal');
    await h.act('restart', 'confirmCodat', { actor: actors.alice });
    await h.act('restart', 'requestProduction', { actor: actors.alice });
    await h.act('restart', 'approveProduction', { actor: actors.bob });
    await h.act('restart', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('restart', 'production') });
    await h.until('restart', (s) => !s.job);
    await h.act('restart', 'confirmCodat', { actor: actors.alice });
    expect((await h.act('restart', 'enable', { actor: actors.alice })).enabled).toBe(true);
  });
  // The stopped attempt removed its Item on the way out; the retry made and removed its own.
  const items = plaid.items().filter((i) => i.clientId === h.clientId);
  expect(items.length).toBeGreaterThanOrEqual(2);
  expect(items.every((i) => i.removedAt)).toBe(true);
});

async function waitForCall(path: string): Promise<void> {
  await h.until('restart', () => h.plaidCalls().some((c) => c.path === path), `a call to ${path}`);
}

test('the workflow continues as new when Temporal suggests it, carrying its state', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const started = await h.start('long');
    await journeyToEnablement(h, 'long');
    await h.act('long', 'enable', { actor: actors.alice });
    // Toggling produces history until the server's (lowered) threshold suggests continue-as-new.
    for (let i = 0; i < 30; i++) {
      await h.act('long', i % 2 === 0 ? 'disable' : 'enable', { actor: actors.alice });
    }
    const description = await env.client.workflow.getHandle(workflowIdFor('long')).describe();
    expect(description.runId).not.toBe(started.firstExecutionRunId);
    const state = await h.state('long');
    expect(state.enabled).toBe(true);
    expect(state.steps.every((s) => s.status === 'done')).toBe(true);
    expect(state.data.clientId).toBe(h.clientId);
    expect((await h.act('long', 'disable', { actor: actors.alice })).enabled).toBe(false);
  });
});

test('secret values submitted to the vault never appear in history, logs or state', async () => {
  const worker = await h.worker();
  const development = newSecret();
  const places: string[] = [];
  await worker.runUntil(async () => {
    await h.start('scan');
    await h.act('scan', 'confirmRedirect', { actor: actors.alice });
    await h.act('scan', 'submitCredentials', {
      actor: actors.alice,
      clientId: h.clientId,
      sandboxSecret: await h.secret('scan', 'sandbox'),
      developmentSecret: await h.secret('scan', 'development', development),
    });
    await h.act('scan', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('scan', 'runSandboxTest', { actor: actors.alice });
    await h.until('scan', (s) => stepOf(s, 'sandbox_test').status === 'done');
    places.push(JSON.stringify(await h.state('scan')));
  });
  // Plaid did receive the real secret (it must, to answer)...
  const received = plaid.requests.filter((r) => r.clientId === h.clientId);
  expect(received.length).toBeGreaterThan(0);
  expect(received.every((r) => r.secretMatched)).toBe(true);
  // ...but nothing durable or printed holds any submitted value.
  places.push(await h.historyJson('scan'), h.logLines.join('\n'), sdkLogLines().join('\n'));
  for (const secret of [...h.submittedSecrets, development]) {
    for (const place of places) expect(place).not.toContain(secret);
  }
});
