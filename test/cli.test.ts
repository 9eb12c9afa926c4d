/**
 * The CLI as a person uses it, against a real Temporal dev server and a worker sharing
 * its SQLite vault: every step it owns, refusals with exit codes, and no secret printed.
 */
import { Readable } from 'node:stream';
import { main, type CliLimits } from '../src/cli/main';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { SECURITY_LOG_FILE } from '../src/services';
import { SqliteDatabase } from '../src/storage/sqlite';
import type { PlaidEmulator } from '../src/emulators/plaid';
import { cliEnvFor } from './support/cli';
import { type Harness, newSecret } from './support/harness';
import { TEST_KEY_ENV } from './support/policy';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const printed: string[] = [];

async function cli(args: string, stdin = '', limits?: CliLimits): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'plaid-setup', ...args.split(' ').filter(Boolean)], {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdin: Readable.from(stdin ? [stdin] : []),
    env: { ...cliEnvFor(h, 'alice'), ...TEST_KEY_ENV },
  }, limits);
  const run = { code, stdout: out.join(''), stderr: err.join('') };
  printed.push(run.stdout, run.stderr);
  return run;
}

async function json(args: string): Promise<Record<string, unknown> & { steps: Array<{ id: string; status: string }> }> {
  const run = await cli(`${args} --json`);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout);
}

test('the CLI carries a setup through every step, from start to enabled and back', async () => {
  const worker = await h.worker();
  const { sandbox: sandboxSecret, production: productionSecret } = h.client.secrets as Required<typeof h.client.secrets>;
  const wrongSecret = newSecret();
  const rotatedSecret = newSecret();
  plaid.updateClient(h.clientId, { linkCustomizations: ['codat'] });
  await worker.runUntil(async () => {
    const started = await json('start acme');
    expect(started.steps[0]).toMatchObject({ id: 'application', status: 'waiting' });
    const status = await json('status acme');
    expect(status.currentStep).toBe('application');
    expect(status.steps.map((s) => s.id)).toHaveLength(9);

    expect((await cli('confirm-redirect acme')).code).toBe(0);
    expect((await cli(`credentials acme --client-id ${h.clientId}`, `${wrongSecret}\n`)).code).toBe(0);
    expect((await cli('settings acme --countries US,GB --sync one-off --link-customization codat')).code).toBe(0);
    // A failed check shows its reason and what to fix, and exits non-zero.
    const failed = await cli('sandbox-test acme');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/\[!\] sandbox_test\s+failed/);
    expect(failed.stdout).toMatch(/Plaid Sandbox rejected the client_id and Sandbox secret \(INVALID_API_KEYS\)/);
    expect(failed.stdout).toMatch(/To fix: Copy the client_id and the Sandbox secret again .* \(Plaid request [A-Za-z0-9]+\)/);

    const creds = await cli(`credentials acme --client-id ${h.clientId}`, `${sandboxSecret}\n`);
    expect(creds.code).toBe(0);
    expect(creds.stdout).toMatch(/Sandbox secret sha256:[0-9a-f]{12}/);
    expect((await cli('settings acme --countries US,GB --sync one-off --link-customization codat')).stdout).toMatch(
      /countries US,GB, one-off sync, Link customization "codat"/,
    );
    const test = await cli('sandbox-test acme');
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/\[x\] sandbox_test\s+done/);
    expect(test.stdout).toMatch(/Evidence: environment=sandbox, keysAccepted=true, institutionsAvailable=\d+/);
    expect(test.stdout).toMatch(/redirectUriAllowed=https:\/\/plaid\.codat\.io\/oauth\/callback, countriesEnabled=US,GB, linkCustomization=codat/);
    expect(test.stdout).toMatch(/institution=First Platypus Bank, institutionId=ins_109508, accounts=\d+, transactions=\d+/);
    const codat = await cli('status acme');
    expect(codat.stdout).toContain(`Client ID: ${h.clientId}`);
    expect(codat.stdout).toMatch(/Data access: One-off sync/);
    expect((await cli('confirm-codat acme')).code).toBe(0);
    const requested = await cli('request-production acme --note ready');
    expect(requested.code).toBe(0);
    // Status names the request and what approving it covers; a decision names it back.
    expect(requested.stdout).toContain(`Production request pr-1 (waiting for a decision): client_id ${h.clientId}, countries US,GB, one-off sync, Link customization "codat"`);
    expect((await cli('approve acme --as bob')).code).toBe(2);

    const self = await cli('approve acme --as alice --request pr-1');
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/alice \(alice\) is not an approver; only people listed in PLAID_SETUP_APPROVERS/);
    expect((await cli('approve acme --as bob --request pr-1 --comment ok')).code).toBe(0);

    const prod = await cli('production-secret acme', `${productionSecret}\n`);
    expect(prod.code).toBe(0);
    expect(prod.stdout).toMatch(/Production secret sha256:[0-9a-f]{12} verified/);
    expect((await cli('confirm-codat acme')).code).toBe(0);
    const enabled = await json('enable acme --as olga');
    expect(enabled).toMatchObject({ enabled: true, currentStep: null });

    const list = await cli('list --json --enabled yes');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ setupId: 'acme', step: 'complete', environment: 'production', enabled: true })]);

    expect((await json('disable acme --reason maintenance')).enabled).toBe(false);
    // Plaid issues a new Sandbox secret; the rotation proves it before it replaces the old one.
    plaid.updateClient(h.clientId, { secrets: { sandbox: rotatedSecret, production: productionSecret } });
    const rotated = await cli('rotate-secret acme --kind sandbox', `${rotatedSecret}\n`);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/Rotation of the sandbox secret sha256:[0-9a-f]{12}: done/);
    expect((await json('cancel acme --reason done')).status).toBe('cancelled');
  });
  for (const text of printed) {
    for (const secret of [sandboxSecret, productionSecret, wrongSecret, rotatedSecret]) expect(text).not.toContain(secret);
  }
});

test('refusals print the reason and exit non-zero; bad input changes nothing', async () => {
  const worker = await h.worker();
  await worker.runUntil(async () => {
    await cli('start beta');
    const again = await cli('start beta');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/A setup named "beta" already exists \(next step: application\)/);

    const early = await cli(`credentials beta --client-id ${h.clientId}`, `${newSecret()}\n`);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/Can't enter credentials yet: step "Plaid application \(allowed redirect URI\)" is waiting/);

    await cli('confirm-redirect beta');
    const badSecret = await cli(`credentials beta --client-id ${h.clientId}`, 'hunter2\n');
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toMatch(/Sandbox secret: a Plaid secret is 30 hexadecimal characters/);
    expect(badSecret.stderr).not.toContain('hunter2');
    const badClient = await cli('credentials beta --client-id nope', `${newSecret()}\n`);
    expect(badClient.stderr).toMatch(/--client-id: a Plaid client_id is 24 hexadecimal characters/);
    const noSecret = await cli(`credentials beta --client-id ${h.clientId}`);
    expect(noSecret.stderr).toMatch(/Sandbox secret: nothing was given/);

    // Nothing a refused or malformed command sent stayed in the vault.
    const db = await SqliteDatabase.open(`${h.dataDir}/vault.sqlite`);
    expect(await db.all('SELECT ref FROM vault_secrets')).toEqual([]);
    await db.close();

    const country = await cli(`credentials beta --client-id ${h.clientId}`, `${newSecret()}\n`).then(() => cli('settings beta --countries US,XX --sync continuous'));
    expect(country.code).toBe(1);
    expect(country.stderr).toMatch(/XX is not supported; use any of US, CA, ES, FR, GB, IE, NL/);
    const dev = await cli('settings beta --environment development --sync continuous');
    expect(dev.stderr).toMatch(/retired by Plaid in June 2024/);
    const auditor = await cli('confirm-redirect beta --as dave');
    expect(auditor.stderr).toMatch(/not an operator/);
    // Refusals never reach history; the security log keeps them, with who and what.
    const log = await DatabaseSecurityLog.open(`${h.dataDir}/${SECURITY_LOG_FILE}`, chainKeys({ current: h.key }));
    expect((await log.list({ setupId: 'beta' })).map((e) => [e.kind, e.actor, e.action])).toEqual([
      ['rejected', 'alice', 'submitCredentials'],
      ['rejected', 'alice', 'updateSettings'],
      ['rejected', 'alice', 'updateSettings'],
      ['rejected', 'dave', 'confirmRedirect'],
    ]);
    expect((await log.verify()).ok).toBe(true);
    await log.close();
    expect((await json('status beta')).version).toBe(3);

    const missing = await cli('status nowhere');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/There is no setup named "nowhere"/);
    const usage = await cli('settings beta');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '--sync <mode>'/);
  });
});

test('no answer from the setup keeps the secret it may hold, says so, and the setup can take it later', async () => {
  const secret = h.client.secrets.sandbox;
  const vaultRefs = async () => {
    const db = await SqliteDatabase.open(`${h.dataDir}/vault.sqlite`);
    const rows = await db.all<{ ref: string }>('SELECT ref FROM vault_secrets');
    await db.close();
    return rows.map((r) => r.ref);
  };
  await (await h.worker()).runUntil(async () => {
    await cli('start gamma');
    expect((await cli('confirm-redirect gamma')).code).toBe(0);
  });
  // No worker now: Temporal admits the update, nobody accepts it, the CLI's wait runs out.
  const sent = await cli(`credentials gamma --client-id ${h.clientId}`, `${secret}\n`, { updateTimeoutMs: 2_000 });
  expect(sent.code).toBe(1);
  expect(sent.stderr).toMatch(/submitCredentials was sent to gamma but the setup did not answer within 2 s; is a worker running \(npm start\)\? It may still be applied/);
  expect(sent.stderr).toMatch(/The secret sha256:[0-9a-f]{12} stays in the vault.*Check with: plaid-setup status gamma/);
  expect(await vaultRefs()).toEqual(['vault:gamma/sandbox/v1']);
  // A read waits for a worker too: it says so within the same bound rather than hang.
  const status = await cli('status gamma', '', { updateTimeoutMs: 2_000 });
  expect(status).toMatchObject({ code: 1, stdout: '' });
  expect(status.stderr).toMatch(/^gamma did not answer within 2 s; is a worker running \(npm start\)\? Nothing was changed\.\n/);

  // The worker comes back and the workflow takes the update it was holding: its secret is there.
  await (await h.worker()).runUntil(async () => {
    await h.until('gamma', (s) => s.data.sandboxSecret?.ref === 'vault:gamma/sandbox/v1', 'the late credentials');
    expect((await cli('settings gamma --sync continuous')).code).toBe(0);
    const test = await cli('sandbox-test gamma');
    expect(test.stdout).toMatch(/\[x\] sandbox_test\s+done/);
  });
  for (const text of printed) expect(text).not.toContain(secret);
});

test('--help is there for the program and every command', async () => {
  const top = await cli('--help');
  expect(top.code).toBe(0);
  for (const command of ['dev', 'worker', 'start', 'list', 'status', 'credentials', 'settings', 'sandbox-test', 'confirm-codat', 'approve', 'reject', 'production-secret', 'rotate-secret', 'enable', 'disable', 'cancel', 'plaid-emulator']) {
    expect(top.stdout).toContain(command);
    const help = await cli(`${command} --help`);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: plaid-setup /);
  }
});

test('an over-long --as is refused with the limit, without echoing the id', async () => {
  for (const length of [200, 5000]) {
    const run = await cli(`confirm-redirect acme --as ${'u'.repeat(length)}`);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `--as: an id is at most 128 characters (this one has ${length}).\n` });
  }
});

test('plaid-emulator refuses a port it cannot use, saying which ports it can', async () => {
  const run = await cli('plaid-emulator --port 80');
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--port must be a whole number from 1024 to 65534 \(Production uses the next port\), not "80"/);
});

test('an unreachable Temporal server is a clear error', async () => {
  const out: string[] = [];
  const code = await main(['node', 'plaid-setup', 'status', 'acme'], {
    stdout: () => undefined,
    stderr: (t) => void out.push(t),
    stdin: Readable.from([]),
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1', PLAID_SETUP_DATA_DIR: h.dataDir },
  });
  expect(code).toBe(1);
  expect(out.join('')).toMatch(/Cannot reach Temporal at 127.0.0.1:1\. Start it with `npm start`/);
});
