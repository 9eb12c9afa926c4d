/**
 * Fault matrix (issue 14, item 2): the Temporal dev server SIGKILLed mid-journey and started
 * again on its SQLite file. The server runs as `temporal server start-dev --db-filename`, as
 * `plaid-setup dev` runs it; the worker is its own `plaid-setup worker` process and is not
 * restarted. Setups are killed with their Sandbox tests in flight; after the restart every
 * one resumes and goes on to enabled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PlaidEmulator } from '../../src/emulators/plaid';
import { ensurePortFree, freePort } from '../../src/http/listen';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/shared/messages';
import { TEMPORAL_CLI } from '../../src/temporal/provisioning/binaries';
import { actors, Harness, stepIs, waitFor } from '../support/harness';
import { spawnCli, type CliProcess } from '../support/processes';
import { report, sized } from './scale';

const SETUPS = sized(3, 20);

/** The dev server on `dbFile` at `port`, as its own process; resolves once it takes connections. */
async function startServer(dbFile: string, port: number): Promise<ChildProcess> {
  const binary = process.env[TEMPORAL_CLI.envVar];
  if (!binary) throw new Error(`${TEMPORAL_CLI.envVar} is not set: test/support/global-setup.ts should have provisioned it`);
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error'];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS)) args.push('--search-attribute', `${name}=${type}`);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the dev server exited (${child.exitCode}): ${stderr}`);
      // Listening once the port is no longer free.
      return ensurePortFree(port, '127.0.0.1', () => new Error('taken')).then(
        () => false,
        () => true,
      );
    },
    Boolean,
    'the dev server to listen',
  );
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test(`the Temporal dev server SIGKILLed mid-journey and restarted on its SQLite file: ${SETUPS} setups resume`, async () => {
  const dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-kill-')), 'temporal.sqlite');
  const port = await freePort();
  let server = await startServer(dbFile, port);
  const plaid = await PlaidEmulator.start();
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: `127.0.0.1:${port}` });
  const h = await new Harness(env, plaid).open();
  let worker: CliProcess | undefined;
  const ids = Array.from({ length: SETUPS }, (_, i) => `restarted-${i}`);
  const started = performance.now();
  try {
    worker = spawnCli(h, ['worker']);
    await worker.opsUrl;
    await Promise.all(
      ids.map(async (id) => {
        await h.start(id);
        await h.act(id, 'confirmRedirect', { actor: actors.alice });
        await h.act(id, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(id, 'sandbox') });
        await h.act(id, 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' });
        await h.act(id, 'runSandboxTest', { actor: actors.alice });
      }),
    );
    // Killed while the Sandbox tests run: the smoke tests are held at their sync.
    plaid.setLatency('/transactions/sync', 3_000, { flavour: 'sandbox' });
    await waitFor(() => h.plaidCalls().filter((c) => c.path === '/transactions/sync').length, (n) => n >= SETUPS, 'every smoke test to reach its sync');
    await kill(server);
    const downAt = performance.now();
    plaid.setLatency('/transactions/sync', 0, { flavour: 'sandbox' });
    server = await startServer(dbFile, port);
    const downSeconds = ((performance.now() - downAt) / 1000).toFixed(1);
    report('Temporal server SIGKILL', `killed with ${SETUPS} Sandbox tests in flight, listening again on the same SQLite file after ${downSeconds} s`);

    await Promise.all(
      ids.map(async (id) => {
        await h.until(id, stepIs('sandbox_test', 'done'), `${id}: the Sandbox test`);
        await h.act(id, 'confirmCodat', { actor: actors.alice });
        await h.act(id, 'requestProduction', { actor: actors.alice });
        await h.act(id, 'approveProduction', { actor: actors.bob });
        await h.act(id, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(id, 'production') });
        await h.until(id, (s) => !s.job && stepIs('production_secret', 'in_progress')(s), `${id}: the Production check`);
        await h.act(id, 'confirmCodat', { actor: actors.alice });
        await h.act(id, 'enable', { actor: actors.olga });
      }),
    );
    const finals = await Promise.all(ids.map((id) => h.until(id, (s) => s.enabled && !s.codatCheck, `${id}: enabled`)));
    expect(finals.every((s) => s.enabled)).toBe(true);
    expect(worker.child.exitCode).toBeNull();
    expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    report('Temporal server SIGKILL', `${finals.length}/${SETUPS} setups enabled after the restart, the same worker process throughout, ${seconds} s in all`);
  } catch (err) {
    process.stderr.write(`--- worker:\n${worker?.output().slice(-3000) ?? ''}\n`);
    throw err;
  } finally {
    await worker?.stop();
    await h.close();
    await env.teardown();
    await plaid.close();
    await kill(server);
  }
}, 300_000);
