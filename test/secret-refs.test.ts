/**
 * A vault reference is only as good as the activity's check of it: through the workflow on a
 * real Temporal dev server, with the real activities and vault, a credential naming another
 * setup's secret, a secret of the wrong kind or a fingerprint that is not the secret's fails
 * the check before Plaid is called, and is recorded in the security log.
 */
import path from 'node:path';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { SECURITY_LOG_FILE, VAULT_FILE } from '../src/services';
import type { SecretRef } from '../src/shared/schemas';
import type { SetupState, StepState } from '../src/domain/state';
import { Vault } from '../src/vault/vault';
import { type Harness, actors } from './support/harness';
import { useWorld } from './support/world';

let h: Harness;
let security: DatabaseSecurityLog;
useWorld((w) => ({ h } = w));

beforeEach(async () => {
  // The worker's vault, as services.ts opens it: with the security log.
  security = await DatabaseSecurityLog.open(path.join(h.dataDir, SECURITY_LOG_FILE), chainKeys({ current: h.key }));
  await h.vault.close();
  h.vault = await Vault.open(path.join(h.dataDir, VAULT_FILE), { current: h.key }, { security });
});
afterEach(async () => {
  await security.close();
});

const stepOf = (s: SetupState, id: string): StepState => s.steps.find((x) => x.id === id)!;

/** Starts a setup, submits `sandboxSecret` as its credentials and runs the Sandbox test. */
async function sandboxTestWith(id: string, sandboxSecret: SecretRef): Promise<StepState> {
  await h.start(id);
  await h.act(id, 'confirmRedirect', { actor: actors.alice });
  await h.act(id, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret });
  await h.act(id, 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
  await h.act(id, 'runSandboxTest', { actor: actors.alice });
  return stepOf(await h.until(id, (s) => !s.job, 'the Sandbox test to end'), 'sandbox_test');
}

test("another setup's secret is refused for this one, before Plaid is called, and recorded", async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const theirs = await h.secret('bravo', 'sandbox');
    const step = await sandboxTestWith('alpha', theirs);
    expect(step.status).toBe('failed');
    expect(step.error).toMatchObject({ code: 'SECRET_REF_MISMATCH', message: expect.stringContaining('vault:bravo/sandbox/v1') });
    expect(step.error?.action).toMatch(/Enter the Sandbox secret again/);
    expect(h.plaidCalls()).toEqual([]);
    expect(await security.list({ setupId: 'alpha' })).toEqual([
      expect.objectContaining({ kind: 'denied', action: 'vault.reveal', detail: expect.stringMatching(/^SECRET_REF_MISMATCH: .*vault:bravo\/sandbox\/v1/) }),
    ]);
  });
});

test('a secret of another kind is refused: the legacy Development secret is never used for a call', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const development = await h.secret('charlie', 'development', h.client.secrets.sandbox);
    const step = await sandboxTestWith('charlie', development);
    expect(step.error).toMatchObject({ code: 'SECRET_REF_MISMATCH', message: expect.stringMatching(/development secret.*not its sandbox secret/) });
    expect(h.plaidCalls()).toEqual([]);
  });
});

test('a fingerprint that is not the stored secret\'s fails the check; a true one is the evidence', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const real = await h.secret('delta', 'sandbox');
    const claimed = { ref: real.ref, fingerprint: 'sha256:000000000000' };
    const step = await sandboxTestWith('delta', claimed);
    expect(step.error).toMatchObject({ code: 'SECRET_FINGERPRINT_MISMATCH', message: expect.stringContaining('sha256:000000000000') });
    expect(JSON.stringify(step)).not.toContain(real.fingerprint);
    expect(h.plaidCalls()).toEqual([]);
    expect((await security.list({ setupId: 'delta' })).map((e) => e.detail)).toEqual([expect.stringMatching(/^SECRET_FINGERPRINT_MISMATCH: /)]);

    await h.act('delta', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: real });
    await h.act('delta', 'runSandboxTest', { actor: actors.alice });
    const passed = stepOf(await h.until('delta', (s) => !s.job, 'the second Sandbox test'), 'sandbox_test');
    expect(passed.status).toBe('done');
    expect(passed.evidence?.secretFingerprint).toBe(real.fingerprint);
  });
});
