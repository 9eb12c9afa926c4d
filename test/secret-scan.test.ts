/**
 * The secret scan: one full journey with distinctive secret values, through Slack (its
 * one-time links to the bot's secret form), the CLI (stdin) and Plaid (the emulator),
 * including refused secrets, a failed check, a rotation, a denial, the history export in
 * Slack and every audit export; then every place a secret could leak is searched, and none
 * may hold one:
 * - every workflow history in the namespace, raw (payload bytes and their base64);
 * - the audit exports in every format, from the CLI and as Slack files;
 * - the security log, as listed and as raw file bytes;
 * - everything the Slack emulator recorded (calls, response_url answers, messages, files);
 * - captured logs (ours, the Temporal SDK's, CLI output);
 * - the raw bytes of every SQLite file: the vault (where secrets are encrypted), the
 *   security log, and the Temporal dev server's own database.
 * Plaid Item tokens the smoke test handled are credentials too, and are searched by form.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PlaidEmulator } from '../src/emulators/plaid';
import { BUTTONS, FIELDS, HISTORY_EXPORTS } from '../src/slack/ids';
import type { SetupView } from '../src/domain/state';
import { runCli } from './support/cli';
import { type Harness, newSecret, sdkLogLines, waitFor } from './support/harness';
import { CHANNEL, clickChecklist, enterSecrets, startSlackWorld, stateWhen, submitThroughModal, users, type SlackWorld } from './support/slack-world';
import { useWorld } from './support/world';

const temporalDir = mkdtempSync(path.join(tmpdir(), 'plaid-setup-temporal-db-'));
let env: TestWorkflowEnvironment;
let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ env, plaid, h } = w), { serverArgs: ['--db-filename', path.join(temporalDir, 'temporal.sqlite')] });

let world: SlackWorld;
afterEach(async () => {
  await world?.close();
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;
/** Item, public and link tokens in the emulator's (Plaid's) format. */
const PLAID_TOKEN = /\b(access|public|link)-(sandbox|production)-[0-9a-f]{8}-[0-9a-f]{4}-/;

/** Every form a secret could take where it is stored or sent. */
function formsOf(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')];
}

test('after a full journey, no secret is in any history, export, log, Slack call, security record or SQLite file', async () => {
  const secrets = {
    wrongSandbox: newSecret(),
    development: newSecret(),
    sandbox: h.client.secrets.sandbox,
    wrongProduction: newSecret(),
    production: h.client.secrets.production!,
    rotated: newSecret(),
    masterKey: h.key.toString('base64'),
  };
  const outputs: string[] = [];
  const cli = async (args: string[], stdin = '') => {
    const run = await runCli(
      args,
      {
        PLAID_SETUP_DATA_DIR: h.dataDir,
        PLAID_SETUP_MASTER_KEY: secrets.masterKey,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: h.taskQueue,
        PLAID_SETUP_OPERATORS: `${users.alice.id},${users.olga.id}`,
        PLAID_SETUP_APPROVERS: users.bob.id,
        PLAID_SETUP_AUDITORS: users.dave.id,
        PLAID_SETUP_ACTOR: users.alice.id,
        LOG_LEVEL: 'debug',
      },
      stdin,
    );
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start scanned', { channel: CHANNEL });
    await clickChecklist(world, users.alice, BUTTONS.confirmRedirect);
    // A wrong Sandbox secret first, with the retired Development secret: the test fails.
    await enterSecrets(world, users.alice, BUTTONS.openCredentials, {
      [FIELDS.clientId]: h.clientId,
      [FIELDS.sandboxSecret]: secrets.wrongSandbox,
      [FIELDS.developmentSecret]: secrets.development,
    });
    await stateWhen(world, 'scanned', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials saved');
    await submitThroughModal(world, users.alice, BUTTONS.openSettings, { [FIELDS.countryCodes]: ['US', 'GB'], [FIELDS.syncMode]: 'continuous' });
    await stateWhen(world, 'scanned', (v) => stepOf(v, 'settings').status === 'done', 'settings saved');
    await clickChecklist(world, users.alice, BUTTONS.runSandboxTest);
    await stateWhen(world, 'scanned', (v) => stepOf(v, 'sandbox_test').status === 'failed', 'the failed Sandbox test');
    // The right one, from the CLI's stdin this time, and the test passes.
    expect((await cli(['credentials', 'scanned', '--client-id', h.clientId], `${secrets.sandbox}\n`)).code).toBe(0);
    expect((await cli(['sandbox-test', 'scanned'])).code).toBe(0);
    await clickChecklist(world, users.alice, BUTTONS.confirmCodat);
    await clickChecklist(world, users.alice, BUTTONS.requestProduction);
    // Mallory tries to approve: denied and recorded. Bob approves.
    const request = await waitFor(() => world.slack.messages(world.slack.dmChannel(users.bob.id)), (m) => m.length > 0, 'the approval request');
    await world.driver.click(users.bob, { channel: request[0]!.channel, ts: request[0]!.ts }, BUTTONS.approveProduction);
    await stateWhen(world, 'scanned', (v) => v.production?.decision === 'approved', 'the approval');
    await clickChecklist(world, users.mallory, BUTTONS.openProductionSecret);
    // A wrong Production secret is checked and refused; the right one is kept.
    await enterSecrets(world, users.alice, BUTTONS.openProductionSecret, { [FIELDS.productionSecret]: secrets.wrongProduction });
    await stateWhen(world, 'scanned', (v) => !v.job && stepOf(v, 'production_secret').status === 'failed', 'the refused Production secret');
    await enterSecrets(world, users.alice, BUTTONS.openProductionSecret, { [FIELDS.productionSecret]: secrets.production });
    await stateWhen(world, 'scanned', (v) => !v.job && stepOf(v, 'production_secret').status === 'in_progress', 'the Production check');
    await clickChecklist(world, users.alice, BUTTONS.confirmCodat);
    await clickChecklist(world, users.olga, BUTTONS.enable);
    await stateWhen(world, 'scanned', (v) => v.enabled, 'enabled');
    // A rotation to a secret Plaid does not know fails its check; the old one stays.
    const rotation = await cli(['rotate-secret', 'scanned', '--kind', 'production'], `${secrets.rotated}\n`);
    expect(rotation.code).toBe(1);
    await stateWhen(world, 'scanned', (v) => v.rotation?.status === 'failed', 'the failed rotation');
    // Disabled first: an enabled setup is not cancelled.
    await world.driver.slash(users.alice, 'disable scanned moving to a new client', { channel: CHANNEL });
    await stateWhen(world, 'scanned', (v) => !v.enabled, 'disabled');
    await world.driver.slash(users.alice, 'cancel scanned moving to a new client', { channel: CHANNEL });
    await stateWhen(world, 'scanned', (v) => v.status === 'cancelled', 'cancelled');
  });

  // Every export: Slack files in each format, and the CLI's.
  await world.driver.slash(users.dave, 'history scanned', { channel: CHANNEL });
  const offered = await waitFor(
    () => world.slack.ephemeralMessages(users.dave.id).filter((m) => JSON.stringify(m.blocks).includes(HISTORY_EXPORTS.md)),
    (m) => m.length > 0,
    'the history summary',
  );
  for (const format of ['md', 'csv', 'json'] as const) {
    await world.driver.click(users.dave, { channel: offered[0]!.channel, ts: offered[0]!.ts }, HISTORY_EXPORTS[format]);
  }
  const files = await waitFor(() => world.slack.uploadedFiles().filter((f) => f.completed), (f) => f.length === 3, 'three export files');
  const exports = [];
  for (const args of [['audit', 'scanned'], ['audit', 'scanned', '--format', 'csv'], ['audit', 'scanned', '--format', 'json'], ['audit', '--all', '--since', '2000-01-01', '--format', 'json']]) {
    const run = await cli(args);
    expect(run.code).toBe(0);
    exports.push(run.stdout);
  }
  // The record is complete enough to be worth scanning: both refusals, the rotation, the denial.
  expect(exports[0]).toMatch(/INVALID_API_KEYS/);
  expect(exports[0]).toMatch(/rotateSecret/);
  expect(exports[0]).toMatch(/U0MALLORY/);
  expect(exports[0]).toMatch(/developmentSecret=sha256:[0-9a-f]{12}/);

  // Every workflow history in the namespace, raw: payload bytes as text and as stored (base64).
  const histories: string[] = [];
  for await (const wf of env.client.workflow.list()) {
    const history = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    histories.push(JSON.stringify(history), JSON.stringify(history, (key, v: unknown) => (key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v)));
  }
  expect(histories.length).toBeGreaterThan(0);

  const security = await world.security.list();
  expect(security.length).toBeGreaterThan(0);
  const sqliteFiles = [
    ...readdirSync(h.dataDir).map((f) => path.join(h.dataDir, f)),
    ...readdirSync(temporalDir).map((f) => path.join(temporalDir, f)),
  ].filter((f) => /\.sqlite(-wal|-shm)?$/.test(f));
  expect(sqliteFiles.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['vault.sqlite', 'security.sqlite', 'secret-links.sqlite', 'temporal.sqlite']));

  const places: Record<string, string> = {
    histories: histories.join('\n'),
    'CLI exports': exports.join('\n'),
    'Slack export files': files.map((f) => f.content.toString('utf8')).join('\n'),
    'security log': JSON.stringify(security),
    'Slack calls': JSON.stringify([world.slack.calls, world.driver.responses, world.slack.messages(), world.slack.ephemeralMessages(), world.slack.uploadedFiles()]),
    'our logs': h.logLines.join('\n'),
    'SDK logs': sdkLogLines().join('\n'),
    'CLI output': outputs.join('\n'),
    // latin1 keeps every byte as one character, so a UTF-8 secret is found byte for byte.
    ...Object.fromEntries(sqliteFiles.map((f) => [`raw ${path.basename(f)}`, readFileSync(f).toString('latin1')])),
  };
  const hits: string[] = [];
  for (const [place, text] of Object.entries(places)) {
    for (const [name, secret] of Object.entries(secrets)) {
      if (formsOf(secret).some((form) => text.includes(form))) hits.push(`${name} in ${place}`);
    }
    const token = PLAID_TOKEN.exec(text);
    if (token) hits.push(`a Plaid ${token[1]} token in ${place}`);
  }
  expect(hits).toEqual([]);
  // The vault holds the secrets, encrypted: the scan looked where they are.
  // (In WAL mode the rows may still sit in the -wal file.)
  const vaultBytes = Object.entries(places).filter(([place]) => place.startsWith('raw vault.sqlite')).map(([, text]) => text).join('');
  expect(vaultBytes.includes('vault:scanned/sandbox/v')).toBe(true);
  expect(plaid.unremovedItems().filter((i) => i.clientId === h.clientId)).toEqual([]);
});
