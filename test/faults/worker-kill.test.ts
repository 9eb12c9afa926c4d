/**
 * Fault matrix (issue 14, item 2): the worker SIGKILLed at every step of the journey. The
 * worker runs as its own process (`plaid-setup worker`); setups are driven from start to
 * enabled, and the worker is killed after each action is accepted and while each Plaid call
 * of each check is in flight (held by the emulator's latency), then a new worker is started.
 * Every setup must finish enabled, with no Sandbox Item left at Plaid. The full run kills at
 * all 15 points; the reduced one (each kill after an action costs the sticky queue's 10 s
 * schedule-to-start timeout, each kill in a check the 15 s heartbeat timeout) at 7 of them:
 * every check in flight, and after the first, the middle and the last action.
 *
 * Not covered: a kill in the instant between Plaid answering /sandbox/public_token/create or
 * /item/public_token/exchange and the Item ledger recording it. Plaid lists no Items by
 * client, so nothing can find that Item again; the window is one SQLite write wide.
 */
import type { SetupState } from '../../src/domain/state';
import type { PlaidEmulator } from '../../src/emulators/plaid';
import { actors, stepIs, waitFor, type Harness } from '../support/harness';
import { spawnCli, type CliProcess } from '../support/processes';
import { useWorld } from '../support/world';
import { report, sized } from './scale';

const SETUPS = sized(1, 10);
const REDUCED_AFTER = new Set(['the start', 'requestProduction', 'enable']);
/** Long enough to be sure the call is in flight when the worker dies. */
const HOLD_MS = 4_000;

let h: Harness;
let plaid: PlaidEmulator;
useWorld((w) => ({ h, plaid } = w));

test(`the worker SIGKILLed at every step of ${SETUPS} journeys: all finish, no Item left`, async () => {
  const ids = Array.from({ length: SETUPS }, (_, i) => `killed-${i}`);
  let worker: CliProcess | undefined;
  let kills = 0;
  const started = performance.now();

  const startWorker = async () => {
    worker = spawnCli(h, ['worker']);
    const ops = await worker.opsUrl;
    await waitFor(() => fetch(`${ops}/readyz`).then((r) => r.status), (s) => s === 200, 'the new worker to be ready');
  };
  const kill = async (where: string) => {
    if (!where.startsWith('during') && !sized(REDUCED_AFTER.has(where.replace(/^after /, '')), true)) return;
    const dying = worker as CliProcess;
    dying.child.kill('SIGKILL');
    const { signal } = await dying.exited;
    expect(signal).toBe('SIGKILL');
    kills += 1;
    report('worker SIGKILL', `killed ${where}`);
    await startWorker();
  };
  /** Every setup does `act`, the worker is killed, then every setup is awaited to `settled`. */
  const step = async (where: string, act: (id: string) => Promise<unknown>, settled?: (s: SetupState) => boolean) => {
    await Promise.all(ids.map(act));
    await kill(`after ${where}`);
    if (settled) await Promise.all(ids.map((id) => h.until(id, settled, `${id}: ${where}`)));
  };
  /**
   * The worker is killed while every setup's call to `path` is held in flight; `trigger`
   * (the action that leads to the call) runs once the hold is in place.
   */
  const duringCall = async (path: string, flavour: 'sandbox' | 'production', trigger: () => Promise<unknown> = async () => undefined) => {
    plaid.setLatency(path, HOLD_MS, { flavour });
    const before = h.plaidCalls().filter((c) => c.path === path && c.flavour === flavour).length;
    await trigger();
    await waitFor(() => h.plaidCalls().filter((c) => c.path === path && c.flavour === flavour).length, (n) => n >= before + SETUPS, `${SETUPS} calls to ${path}`);
    plaid.setLatency(path, 0, { flavour });
    await kill(`during ${flavour} ${path}`);
  };

  try {
    await startWorker();
    await step('the start', (id) => h.start(id));
    await step('confirmRedirect', (id) => h.act(id, 'confirmRedirect', { actor: actors.alice }));
    await step('submitCredentials', async (id) => h.act(id, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(id, 'sandbox') }));
    await step('updateSettings', (id) => h.act(id, 'updateSettings', { actor: actors.alice, countryCodes: ['US', 'GB'], syncMode: 'continuous' }));

    // The Sandbox test: killed in each of its three checks, and in the smoke test once its Item is recorded.
    await duringCall('/institutions/get', 'sandbox', () => Promise.all(ids.map((id) => h.act(id, 'runSandboxTest', { actor: actors.alice }))));
    await duringCall('/link/token/create', 'sandbox');
    await duringCall('/accounts/get', 'sandbox');
    await Promise.all(ids.map((id) => h.until(id, stepIs('sandbox_test', 'done'), `${id}: the Sandbox test`)));
    await kill('after the Sandbox test');

    await step('confirmCodat', (id) => h.act(id, 'confirmCodat', { actor: actors.alice }));
    await step('requestProduction', (id) => h.act(id, 'requestProduction', { actor: actors.alice }));
    await step('approveProduction', (id) => h.act(id, 'approveProduction', { actor: actors.bob }));
    await duringCall('/institutions/get', 'production', () =>
      Promise.all(ids.map(async (id) => h.act(id, 'submitProductionSecret', { actor: actors.alice, secret: await h.secret(id, 'production') }))),
    );
    await Promise.all(ids.map((id) => h.until(id, (s) => !s.job && stepIs('production_secret', 'in_progress')(s), `${id}: the Production check`)));
    await kill('after the Production check');
    await step('confirmCodat (Production)', (id) => h.act(id, 'confirmCodat', { actor: actors.alice }));
    await step('enable', (id) => h.act(id, 'enable', { actor: actors.olga }), (s) => s.enabled && !s.codatCheck);

    const finals = await Promise.all(ids.map((id) => h.state(id)));
    expect(finals.map((s) => [s.setupId, s.enabled, s.status])).toEqual(ids.map((id) => [id, true, 'active']));
    expect(finals.flatMap((s) => s.steps.filter((x) => x.status === 'failed'))).toEqual([]);
    const left = plaid.unremovedItems().filter((i) => i.clientId === h.clientId);
    expect(left).toEqual([]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    report('worker SIGKILL', `${kills} kills over ${SETUPS} journeys in ${seconds} s: ${finals.filter((s) => s.enabled).length}/${SETUPS} enabled, ${left.length} Items left at Plaid`);
  } catch (err) {
    process.stderr.write(`--- last worker:\n${worker?.output().slice(-3000) ?? ''}\n`);
    throw err;
  } finally {
    await worker?.stop();
  }
}, 600_000);
