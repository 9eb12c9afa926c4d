/**
 * The drift watch: a run of driftWatchWorkflow (what the Schedule starts) asks every enabled
 * setup to check its live keys. A key revoked in Plaid marks the setup "needs attention",
 * alerts its thread and the approvers, and is in its history; keys that work again clear it.
 */
import type { PlaidEmulator } from '../src/emulators/plaid';
import type { SetupState, StepState } from '../src/domain/state';
import { headline } from '../src/domain/headline';
import { historyTimeline } from '../src/audit/export';
import { DRIFT_WATCH_WORKFLOW_TYPE } from '../src/shared/messages';
import { type Harness, actors, journeyToEnablement, newSecret } from './support/harness';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

const enablement = (s: SetupState): StepState => s.steps.find((x) => x.id === 'enablement')!;
let runs = 0;
const driftWatch = () =>
  h.temporal.workflow.execute(DRIFT_WATCH_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId: `drift-${h.taskQueue}-${(runs += 1)}` }) as Promise<{ asked: number }>;

test('a revoked key makes an enabled setup need attention, with an alert; keys that work again clear it; setups not enabled are left alone', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await h.start('live');
    await journeyToEnablement(h, 'live');
    await h.act('live', 'enable', { actor: actors.alice });
    await h.start('idle');
    await h.until('live', (s) => s.codatCheck === undefined, 'the Codat read-back to settle');

    expect(await driftWatch()).toEqual({ asked: 1 });
    const healthy = await h.until('live', (s) => !s.job && enablement(s).evidence?.liveKeysAccepted === true, 'the first drift check');
    expect(healthy.attention).toBeUndefined();

    // Someone deletes the Production secret in the Plaid Dashboard.
    const client = plaid.client(h.clientId)!;
    plaid.updateClient(h.clientId, { secrets: { ...client.secrets, production: newSecret() } });
    await driftWatch();
    const broken = await h.until('live', (s) => s.attention !== undefined, 'the setup to need attention');
    expect(broken.attention).toMatchObject({ code: 'INVALID_API_KEYS', action: expect.stringMatching(/^Plaid no longer takes the production secret in force .*rotate-secret/) });
    expect(enablement(broken).error).toMatchObject({ code: 'INVALID_API_KEYS' });
    expect(broken.enabled).toBe(true);
    expect(headline(broken)).toMatch(/^Needs attention: Plaid Production rejected the client_id and Production secret/);
    expect(h.notifications.filter((n) => n.kind === 'drift_failed')).toEqual([
      expect.objectContaining({
        setupId: 'live',
        environment: 'production',
        problem: expect.objectContaining({ code: 'INVALID_API_KEYS', action: expect.stringMatching(/rotate-secret \(production\)/) }),
      }),
    ]);
    // In the setup's own audit record: the ask, Plaid's refusal, the alert.
    const rows = await historyTimeline(h.temporal, 'live');
    expect(rows.filter((r) => r.action === 'driftCheck')).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'Plaid', action: 'verifyCredentials', step: 'production credentials', outcome: 'failed', detail: expect.stringMatching(/^INVALID_API_KEYS/) }),
        expect.objectContaining({ action: 'notify drift_failed', step: 'enablement', outcome: 'sent', detail: 'production keys refused: INVALID_API_KEYS' }),
      ]),
    );

    plaid.updateClient(h.clientId, { secrets: client.secrets });
    await driftWatch();
    const fixed = await h.until('live', (s) => !s.job && s.attention === undefined, 'the attention to clear');
    expect(enablement(fixed).error).toBeUndefined();
    expect((await h.state('idle')).job).toBeUndefined();
  });
});
