/**
 * The long-running processes as an operator starts them: what they refuse before they
 * start anything, their health, readiness and metrics, and a graceful stop on SIGTERM.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PlaidEmulator } from '../src/emulators/plaid';
import { closeServer, listen } from '../src/http/listen';
import { runCli } from './support/cli';
import { actors, waitFor, type Harness } from './support/harness';
import { driftScheduleId } from '../src/temporal/client/drift-schedule';
import { spawnCli } from './support/processes';
import { useWorld } from './support/world';

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

describe('npm start on a machine where a port it needs is taken', () => {
  test.each([
    ['TEMPORAL_DEV_PORT', 'the Temporal dev server'],
    ['TEMPORAL_DEV_UI_PORT', 'the Temporal Web UI'],
  ])('%s taken: stops with the port named, before starting anything', async (variable, what) => {
    const { server, port } = await occupied();
    // The other port free, so only the taken one can be the reason.
    const spare = await occupied();
    await closeServer(spare.server);
    const other = variable === 'TEMPORAL_DEV_PORT' ? 'TEMPORAL_DEV_UI_PORT' : 'TEMPORAL_DEV_PORT';
    try {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ports-'));
      const run = await runCli(['dev', '--open-roles'], { PLAID_SETUP_DATA_DIR: dataDir, [variable]: String(port), [other]: String(spare.port), TEMPORAL_ADDRESS: '' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${port} (${what}) is already in use by another process. Stop that process, or set ${variable}`);
      expect(run.stdout).not.toContain('Temporal dev server:');
    } finally {
      await closeServer(server);
    }
  });
});

describe('plaid-setup worker as its own process', () => {
  let plaid: PlaidEmulator;
  let h: Harness;
  useWorld((w) => ({ plaid, h } = w));

  test('health, readiness and metrics on PORT: the product’s and the Temporal SDK’s; the workflow cache holds PLAID_SETUP_WORKFLOW_CACHE_SIZE setups', async () => {
    const worker = spawnCli(h, ['worker'], { PLAID_SETUP_WORKFLOW_CACHE_SIZE: '2', PLAID_SETUP_DRIFT_INTERVAL: '6h' });
    try {
      const base = await worker.opsUrl;
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      const ready = await waitFor(async () => fetch(`${base}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown })), (r) => r.status === 200, 'the worker to be ready');
      expect(ready.body).toEqual({ ready: true, checks: { temporal: 'ok', vault: 'ok', security_log: 'ok', worker: 'ok' } });

      // Two setups to crowd the cache of two: the journey below is evicted and replayed as it goes.
      await h.start('crowd-1');
      await h.start('crowd-2');
      await h.start('metered');
      await h.act('metered', 'confirmRedirect', { actor: actors.alice });
      await h.act('metered', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('metered', 'sandbox') });
      await h.act('metered', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
      await h.act('metered', 'runSandboxTest', { actor: actors.alice });
      await h.until('metered', (s) => !s.job, 'the Sandbox test');

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^plaid_setup_checks_total\{check="runSandboxSmokeTest",outcome="passed",code=""\} 1$/m);
      expect(metrics).toMatch(/^plaid_setup_plaid_call_seconds_count\{operation="institutionsGet",outcome="ok"\} [1-9]/m);
      expect(metrics).toMatch(/^plaid_setup_setups\{step="codat_portal"\} 1$/m);
      // The SDK's own, from its runtime's exporter.
      expect(metrics).toMatch(/^temporal_\w+/m);
      const sdkMetric = (name: string) => Number(new RegExp(`^temporal_${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
      expect(sdkMetric('sticky_cache_size')).toBeLessThanOrEqual(2);
      expect(sdkMetric('sticky_cache_total_forced_eviction')).toBeGreaterThanOrEqual(1);
      // The worker made the drift watch's schedule, at PLAID_SETUP_DRIFT_INTERVAL, one at a time.
      const schedule = await h.temporal.schedule.getHandle(driftScheduleId(h.taskQueue)).describe();
      expect(schedule.spec.intervals).toMatchObject([{ every: 6 * 3_600_000 }]);
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'driftWatchWorkflow', taskQueue: h.taskQueue });
      expect(schedule.policies.overlap).toBe('SKIP');
    } finally {
      expect((await worker.stop()).code).toBe(0);
    }
  });

  test('SIGTERM: not ready at once, the running check finishes, then the process exits 0', async () => {
    // The first transactions sync takes 4 s, so the smoke test is mid-flight when the signal comes.
    plaid.setLatency('/transactions/sync', 4_000, { flavour: 'sandbox' });
    const worker = spawnCli(h, ['worker']);
    const base = await worker.opsUrl;
    await h.start('drained');
    await h.act('drained', 'confirmRedirect', { actor: actors.alice });
    await h.act('drained', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('drained', 'sandbox') });
    await h.act('drained', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('drained', 'runSandboxTest', { actor: actors.alice });
    await waitFor(() => h.plaidCalls().some((c) => c.path === '/accounts/get'), Boolean, 'the smoke test to reach the sync');

    worker.child.kill('SIGTERM');
    await waitFor(() => fetch(`${base}/readyz`).then((r) => r.status, () => 0), (status) => status === 503, 'readiness to drop');
    const exit = await worker.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('Shutting down');

    // The check the stopping worker ran finished there: one Item, created once and removed.
    const items = plaid.items().filter((i) => i.clientId === h.clientId);
    expect(items).toHaveLength(1);
    expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
    const next = await h.worker();
    await next.runUntil(async () => {
      const state = await h.until('drained', (s) => !s.job, 'the result of the drained check');
      expect(state.steps.find((s) => s.id === 'sandbox_test')).toMatchObject({ status: 'done' });
    });
    expect(plaid.items().filter((i) => i.clientId === h.clientId)).toHaveLength(1);
  });
});
