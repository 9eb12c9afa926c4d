/**
 * Writing the credentials to Codat (opt-in, CODAT_WRITE_CREDENTIALS) instead of asking the
 * operator to paste them into the Codat Portal. The client is checked against the Codat
 * emulator; the journey on real Temporal: the Sandbox values confirm the Codat Portal step,
 * the Production secret, written later, is the switch to Production. The secret leaves the
 * vault only inside the activity's request; no error or history holds it.
 */
import { createHash } from 'node:crypto';
import { CodatCallError, CodatClient } from '../src/codat/client';
import { loadConfig, setupOptionsFor } from '../src/config';
import { CodatEmulator } from '../src/emulators/codat/emulator';
import type { SetupState } from '../src/domain/state';
import { type Harness, actors, decodedJson, newSecret } from './support/harness';
import { useWorld } from './support/world';

let h: Harness;
useWorld((w) => ({ h } = w));

let codat: CodatEmulator;
beforeEach(async () => {
  codat = await CodatEmulator.start();
});
afterEach(() => codat.close());

const sha = (value: string) => createHash('sha256').update(value).digest('hex');
const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;

describe('the Codat client writes credentials, and says what went wrong without the secret', () => {
  const clientId = '0123456789abcdef01234567';

  test('written, then read back by the emulator as a hash', async () => {
    const secret = newSecret();
    await new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url }).putCredentials({ clientId, clientSecret: secret, environment: 'sandbox' });
    expect(codat.credentials('suuo')).toEqual({ clientId, environment: 'sandbox', clientSecretSha256: sha(secret) });
  });

  test('a server error on the write names the write, not a read', async () => {
    codat.fail(500);
    const err = await new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url }).putCredentials({ clientId, clientSecret: newSecret(), environment: 'sandbox' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CODAT_UNAVAILABLE', retryable: true, message: 'Codat answered 500 on PUT /integrations/credentials/suuo.' });
  });

  test.each([
    ['a wrong API key', { apiKey: 'wrongwrongwrongwrong' }, {}, 'CODAT_UNAUTHORIZED'],
    ['a malformed secret', {}, { clientSecret: 'not-hex' }, 'CODAT_REJECTED_CREDENTIALS'],
    ['no credentials endpoint', {}, {}, 'CODAT_NOT_FOUND'],
  ])('%s', async (what, client, body, code) => {
    if (what === 'no credentials endpoint') {
      await codat.close();
      codat = await CodatEmulator.start({ credentialsEndpoint: false });
    }
    const secret = newSecret();
    const call = new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url, ...client }).putCredentials({ clientId, clientSecret: secret, environment: 'production', ...body });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodatCallError);
    expect(err).toMatchObject({ code, retryable: false });
    expect(JSON.stringify([(err as Error).message, (err as CodatCallError).action])).not.toContain(secret);
    expect(codat.credentials('suuo')).toBeUndefined();
  });
});

test('CODAT_WRITE_CREDENTIALS needs CODAT_API_KEY, and reaches new setups as an option', () => {
  expect(() => loadConfig({ CODAT_WRITE_CREDENTIALS: 'true' })).toThrow(/CODAT_WRITE_CREDENTIALS: set CODAT_API_KEY too/);
  const config = loadConfig({ CODAT_WRITE_CREDENTIALS: 'true', CODAT_API_KEY: 'a'.repeat(32) });
  expect(setupOptionsFor(config).codatWrite).toBe(true);
  expect(setupOptionsFor(loadConfig({ CODAT_API_KEY: 'a'.repeat(32) })).codatWrite).toBeUndefined();
});

test('Sandbox values confirm the Codat Portal step; the Production secret, written later, is the switch; off means refused', async () => {
  const worker = await h.worker({ codat: new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url }), codatWrite: true });
  await worker.runUntil(async () => {
    // Without the option, the action is refused and says what to do instead.
    await h.start('pasted');
    expect(await h.refused('pasted', 'writeToCodat', { actor: actors.alice })).toMatchObject({ code: 'NOT_ALLOWED_NOW', message: expect.stringContaining('CODAT_WRITE_CREDENTIALS is off') });

    await h.start('written', { codatWrite: true });
    // Nothing to write before the Sandbox test passed.
    expect(await h.refused('written', 'writeToCodat', { actor: actors.alice })).toMatchObject({ code: 'OUT_OF_ORDER' });
    await h.act('written', 'confirmRedirect', { actor: actors.alice });
    await h.act('written', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('written', 'sandbox') });
    await h.act('written', 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' });
    await h.act('written', 'runSandboxTest', { actor: actors.alice });
    await h.until('written', (s) => stepOf(s, 'sandbox_test').status === 'done', 'the Sandbox test');

    // Codat answers 503 once: retried, then written.
    codat.fail(503);
    await h.act('written', 'writeToCodat', { actor: actors.alice });
    const portal = await h.until('written', (s) => !s.job && stepOf(s, 'codat_portal').status === 'done', 'the write to Codat');
    expect(stepOf(portal, 'codat_portal').detail).toBe('Confirmed: the values are written to Codat by plaid-setup (credentials endpoint).');
    expect(stepOf(portal, 'codat_portal').evidence).toMatchObject({ codatCredentialsWritten: true, codatEnvironment: 'sandbox' });
    expect(codat.credentials('suuo')).toEqual({ clientId: h.clientId, environment: 'sandbox', clientSecretSha256: sha(h.client.secrets.sandbox) });
    expect(await h.refused('written', 'writeToCodat', { actor: actors.alice })).toMatchObject({ code: 'ALREADY_DONE' });

    // Sandbox phase, then Production: the written Production secret switches the environment.
    codat.setEnabled('suuo', true);
    await h.act('written', 'enable', { actor: actors.alice });
    await h.act('written', 'requestProduction', { actor: actors.alice });
    await h.act('written', 'approveProduction', { actor: actors.bob });
    await h.act('written', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('written', 'production') });
    await h.until('written', (s) => !s.job && !!s.data.productionSecret, 'the Production secret');
    // Codat refuses the write: the step says what to do, nothing switches.
    codat.setCredentialsEndpoint(false);
    await h.act('written', 'writeToCodat', { actor: actors.alice });
    const refused = await h.until('written', (s) => !s.job && !!stepOf(s, 'production_secret').error, 'the refused write');
    expect(refused.data.environment).toBe('sandbox');
    expect(stepOf(refused, 'production_secret').error).toMatchObject({ code: 'CODAT_NOT_FOUND', action: expect.stringContaining('unset CODAT_WRITE_CREDENTIALS') });
    expect(refused.lastError).toMatchObject({ step: 'production_secret', code: 'CODAT_NOT_FOUND' });

    codat.setCredentialsEndpoint(true);
    await h.act('written', 'writeToCodat', { actor: actors.alice });
    const migrated = await h.until('written', (s) => !s.job && s.migration?.status === 'done', 'the switch');
    expect(migrated.data.environment).toBe('production');
    expect(stepOf(migrated, 'production_secret').detail).toMatch(/verified and written to Codat by plaid-setup \(credentials endpoint\); environment is now production\./);
    expect(codat.credentials('suuo')).toEqual({ clientId: h.clientId, environment: 'production', clientSecretSha256: sha(h.client.secrets.production!) });

    // The secrets went to Codat, not into the history or a log line.
    const history = decodedJson(await h.temporal.workflow.getHandle('plaid-setup/written').fetchHistory());
    for (const secret of [h.client.secrets.sandbox, h.client.secrets.production!]) {
      expect(history).not.toContain(secret);
      expect(h.logLines.join('\n')).not.toContain(secret);
    }
  });
}, 120_000);
