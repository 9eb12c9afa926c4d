/**
 * Codat's own order: Plaid is enabled in Sandbox first (after the Sandbox test and the Codat
 * Portal step), and Production is a later phase of the same setup: request, approval,
 * Production secret, and its confirmation in the Codat Portal, which switches the
 * environment. The switch re-verifies the Production keys and reads Codat back; the history
 * is one workflow throughout. Each rule is also tried the wrong way round.
 */
import { CodatClient } from '../src/codat/client';
import { CodatEmulator } from '../src/emulators/codat/emulator';
import type { PlaidEmulator } from '../src/emulators/plaid';
import { publicView } from '../src/domain/checklist';
import { headline } from '../src/domain/headline';
import { checklistMessage } from '../src/slack/views';
import type { SetupState } from '../src/domain/state';
import { type Harness, actors, journeyToProductionRequest, newSecret } from './support/harness';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

const shown = (state: SetupState) => JSON.stringify(checklistMessage(publicView(state)).blocks);
const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;

test('enabled in Sandbox, then migrated to Production in the same setup: re-verified, read back, one history', async () => {
  const codat = await CodatEmulator.start();
  codat.setEnabled('suuo', true);
  const worker = await h.worker({ codat: new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url }) });
  await worker.runUntil(async () => {
    const handle = await h.start('phased');
    // Not before the Sandbox test and the Codat Portal step.
    expect(await h.refused('phased', 'enable', { actor: actors.alice })).toMatchObject({ code: 'OUT_OF_ORDER', message: expect.stringContaining('enable the integration in Sandbox') });
    await journeyToProductionRequest(h, 'phased');

    // Phase 1: Sandbox, no approval needed.
    await h.act('phased', 'enable', { actor: actors.alice });
    const sandbox = await h.until('phased', (s) => s.enabled && !s.codatCheck, 'enabled in Sandbox');
    expect(sandbox.data.environment).toBe('sandbox');
    expect(stepOf(sandbox, 'enablement').detail).toBe('Enabled in Sandbox by Alice.');
    expect(headline(sandbox)).toBe('Enabled in Sandbox; next: Production request');
    expect(shown(sandbox)).toContain('*Phase 1 of 2: Sandbox*, enabled.');
    // Rotation works in the Sandbox phase too.
    const fresh = newSecret();
    plaid.updateClient(h.clientId, { extraSecrets: { sandbox: [fresh] } });
    await h.act('phased', 'rotateSecret', { actor: actors.alice, kind: 'sandbox', secret: await h.secret('phased', 'sandbox', fresh) });
    await h.until('phased', (s) => !s.job && s.rotation?.status === 'done', 'the Sandbox rotation');

    // Phase 2: the production steps, while Sandbox stays enabled.
    await h.act('phased', 'requestProduction', { actor: actors.alice });
    await h.act('phased', 'approveProduction', { actor: actors.bob });
    await h.act('phased', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('phased', 'production') });
    const verified = await h.until('phased', (s) => !s.job && !!s.data.productionSecret, 'the Production secret');
    expect(verified.enabled).toBe(true);
    expect(verified.data.environment).toBe('sandbox');
    expect(headline(verified)).toBe('Enabled in Sandbox; next: confirm the Production secret is in the Codat Portal, which switches to Production');

    // Confirming it in the Codat Portal is the switch: Plaid Production checks the keys again.
    await h.act('phased', 'confirmCodat', { actor: actors.olga });
    const migrated = await h.until('phased', (s) => !s.job && s.migration?.status === 'done' && !s.codatCheck, 'the migration');
    expect(migrated).toMatchObject({ enabled: true, data: { environment: 'production', countryCodes: ['US', 'GB'] }, currentStep: null });
    expect(stepOf(migrated, 'enablement').detail).toBe('Migrated to Production by Olga: Plaid Production accepted the keys; enabled in Production.');
    expect(stepOf(migrated, 'enablement').evidence).toMatchObject({ liveKeysAccepted: true, codatEnabled: true });
    expect(headline(migrated)).toBe('Enabled');
    expect(shown(migrated)).toContain('*Phase 2 of 2: Production.*');
    expect(shown(migrated)).toContain('*Migrated to Production* by Olga');
    // In Production a new secret is a rotation, not the step again.
    expect(await h.refused('phased', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('phased', 'production') })).toMatchObject({ code: 'NOT_ALLOWED_NOW' });

    // One workflow run from start to Production.
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
    const calls = h.plaidCalls().filter((c) => c.path === '/institutions/get' && c.flavour === 'production');
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });
  // Codat was read after the Sandbox enable and again after the switch.
  expect(codat.requests.filter((r) => r.path === '/integrations/suuo')).toHaveLength(2);
  await codat.close();
});

test('Production keys refused at the switch leave the setup needing attention, not silently switched back', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('drifted');
    await journeyToProductionRequest(h, 'drifted');
    await h.act('drifted', 'requestProduction', { actor: actors.alice });
    await h.act('drifted', 'approveProduction', { actor: actors.bob });
    await h.act('drifted', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('drifted', 'production') });
    await h.until('drifted', (s) => !s.job && !!s.data.productionSecret, 'the Production secret');
    await h.act('drifted', 'enable', { actor: actors.alice });
    await h.until('drifted', (s) => s.enabled && !s.codatCheck, 'enabled in Sandbox');

    // Plaid takes Production away before the switch: the switch happens (Codat was changed), and the setup needs attention.
    plaid.updateClient(h.clientId, { productionAccess: false });
    await h.act('drifted', 'confirmCodat', { actor: actors.alice });
    const failed = await h.until('drifted', (s) => !s.job && s.migration?.status === 'failed', 'the failed migration');
    expect(failed.attention).toMatchObject({ code: expect.stringMatching(/UNAUTHORIZED_ENVIRONMENT|INVALID_API_KEYS/) });
    expect(headline(failed)).toMatch(/^Needs attention: /);
    expect(shown(failed)).toContain('*The migration to Production needs attention*');
  });
});

test('disable and cancel work in the Sandbox phase', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('stopped');
    await journeyToProductionRequest(h, 'stopped');
    await h.act('stopped', 'enable', { actor: actors.alice });
    await h.until('stopped', (s) => s.enabled && !s.codatCheck, 'enabled in Sandbox');
    expect(await h.refused('stopped', 'cancel', { actor: actors.alice, reason: 'not needed' })).toMatchObject({ code: 'NOT_ALLOWED_NOW' });
    await h.act('stopped', 'disable', { actor: actors.alice, reason: 'moving to another bank feed' });
    await h.until('stopped', (s) => !s.enabled && !s.codatCheck, 'disabled');
    await h.act('stopped', 'cancel', { actor: actors.alice, reason: 'not needed' });
    expect((await h.until('stopped', (s) => s.status === 'cancelled', 'cancelled')).data.environment).toBe('sandbox');
  });
});
