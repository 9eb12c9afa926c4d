/**
 * Enable and disable are read back from Codat (GET /integrations/suuo, on the Codat
 * emulator): confirmed on the Enablement step, a mismatch named with what to do, checked
 * again once fixed; without CODAT_API_KEY nothing is read, and asking says why.
 */
import { CodatClient } from '../src/codat/client';
import type { SetupState, StepState } from '../src/domain/state';
import { CodatEmulator } from '../src/emulators/codat/emulator';
import { type Harness, actors, journeyToEnablement } from './support/harness';
import { useWorld } from './support/world';

let h: Harness;
useWorld((w) => ({ h } = w));

let codat: CodatEmulator;
beforeAll(async () => {
  codat = await CodatEmulator.start();
});
afterAll(() => codat.close());

const enablement = (s: SetupState): StepState => s.steps.find((x) => x.id === 'enablement')!;
const answered = (id: string) => h.until(id, (s) => s.codatCheck === undefined, 'the Codat read-back');

test('enable and disable are confirmed against Codat; a mismatch says what to do and clears once Codat agrees', async () => {
  const worker = await h.worker({ codat: new CodatClient({ apiKey: codat.apiKey, baseUrl: codat.url }) });
  await worker.runUntil(async () => {
    await h.start('readback');
    await journeyToEnablement(h, 'readback');
    codat.setEnabled('suuo', false);

    await h.act('readback', 'enable', { actor: actors.alice });
    const mismatch = await answered('readback');
    expect(mismatch.enabled).toBe(true);
    expect(enablement(mismatch).error).toMatchObject({
      code: 'CODAT_MISMATCH',
      message: 'Codat says the Plaid integration is not enabled for this company, but this setup is enabled.',
      action: 'Enable Plaid in the Codat Portal under Settings > Integrations > Banking > Plaid and save, then check Codat again.',
    });
    expect(enablement(mismatch).evidence).toMatchObject({ codatEnabled: false });
    expect(mismatch.lastError).toMatchObject({ step: 'enablement', code: 'CODAT_MISMATCH' });

    codat.setEnabled('suuo', true);
    await h.act('readback', 'checkCodat', { actor: actors.alice });
    const agreed = await answered('readback');
    expect(enablement(agreed).error).toBeUndefined();
    expect(enablement(agreed).evidence).toMatchObject({ codatEnabled: true });
    expect(agreed.lastError).toBeUndefined();

    await h.act('readback', 'disable', { actor: actors.alice, reason: 'moving banks' });
    const stillOn = await answered('readback');
    expect(enablement(stillOn).error).toMatchObject({ code: 'CODAT_MISMATCH', message: expect.stringMatching(/still enabled for this company, but this setup is disabled/) });
    expect(codat.requests.filter((r) => r.path === '/integrations/suuo')).toHaveLength(3);
  });
});

test('Codat refusing the API key: the step names it, says what to do, and Codat is asked once', async () => {
  const worker = await h.worker({ codat: new CodatClient({ apiKey: 'wrong'.repeat(8), baseUrl: codat.url }) });
  await worker.runUntil(async () => {
    await h.start('refused');
    await journeyToEnablement(h, 'refused');
    const before = codat.requests.length;
    await h.act('refused', 'enable', { actor: actors.alice });
    const state = await answered('refused');
    expect(enablement(state).error).toMatchObject({ code: 'CODAT_UNAUTHORIZED', action: expect.stringMatching(/CODAT_API_KEY/) });
    expect(JSON.stringify(state)).not.toContain('wrong'.repeat(8));
    expect(codat.requests.length - before).toBe(1);
  });
});

test('without CODAT_API_KEY nothing is read after enable; asked for, the step says why; before enablement it is refused', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('unread');
    expect(await h.refused('unread', 'checkCodat', { actor: actors.alice })).toMatchObject({ code: 'OUT_OF_ORDER' });
    await journeyToEnablement(h, 'unread');
    await h.act('unread', 'enable', { actor: actors.alice });
    const enabled = await answered('unread');
    expect(enablement(enabled).error).toBeUndefined();
    expect(enablement(enabled).evidence?.codatEnabled).toBeUndefined();

    await h.act('unread', 'checkCodat', { actor: actors.alice });
    const asked = await answered('unread');
    expect(enablement(asked).error).toMatchObject({ code: 'CODAT_NOT_CONFIGURED', action: expect.stringMatching(/Set CODAT_API_KEY on the worker/) });
  });
});
