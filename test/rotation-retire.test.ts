/**
 * Rotation through Plaid's two-active-secrets window: the new secret is verified and put in
 * force while the old one still works; then the operator deletes the old one in Plaid, and
 * plaid-setup confirms Plaid refuses it (or says it still works).
 */
import type { PlaidEmulator } from '../src/emulators/plaid';
import { headline } from '../src/domain/headline';
import { type Harness, actors, journeyToEnablement, newSecret } from './support/harness';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

test('rotate, then retire the old secret: still accepted is reported, refused is confirmed, and it is asked once', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('rotating');
    await journeyToEnablement(h, 'rotating');
    await h.act('rotating', 'enable', { actor: actors.alice });
    expect(await h.refused('rotating', 'confirmOldSecretDeleted', { actor: actors.alice })).toMatchObject({ code: 'NOT_ALLOWED_NOW' });

    // In the Plaid Dashboard: a second Production secret; both are active.
    const old = plaid.client(h.clientId)!.secrets;
    const fresh = newSecret();
    plaid.updateClient(h.clientId, { extraSecrets: { production: [fresh] } });
    const before = (await h.state('rotating')).data.productionSecret!;
    await h.act('rotating', 'rotateSecret', { actor: actors.alice, kind: 'production', secret: await h.secret('rotating', 'production', fresh) });
    const rotated = await h.until('rotating', (s) => !s.job && s.rotation?.status === 'done', 'the rotation');
    expect(rotated.rotation?.retirement).toEqual({ secret: before, status: 'pending' });
    expect(rotated.data.productionSecret?.fingerprint).not.toBe(before.fingerprint);

    // Said too early: Plaid still takes the old one.
    await h.act('rotating', 'confirmOldSecretDeleted', { actor: actors.alice });
    const early = await h.until('rotating', (s) => !s.job && s.rotation?.retirement?.status !== 'checking', 'the first retirement check');
    expect(early.rotation?.retirement).toMatchObject({ status: 'still_works', error: { code: 'OLD_SECRET_STILL_ACTIVE', action: expect.stringMatching(/^Delete it under Plaid Dashboard > Team Settings > Keys/) } });
    expect(early.lastError).toMatchObject({ step: 'rotation', code: 'OLD_SECRET_STILL_ACTIVE' });

    // Deleted in Plaid: only the new one is left.
    plaid.updateClient(h.clientId, { secrets: { ...old, production: fresh }, extraSecrets: { production: [] } });
    await h.act('rotating', 'confirmOldSecretDeleted', { actor: actors.alice });
    const retired = await h.until('rotating', (s) => !s.job && s.rotation?.retirement?.status !== 'checking', 'the retirement check');
    expect(retired.rotation?.retirement).toMatchObject({ status: 'confirmed' });
    expect(retired.rotation?.retirement?.error).toBeUndefined();
    expect(retired.lastError).toBeUndefined();
    expect(headline(retired)).toBe('Enabled');
    expect(await h.refused('rotating', 'confirmOldSecretDeleted', { actor: actors.alice })).toMatchObject({ code: 'NOT_ALLOWED_NOW' });
  });
});
