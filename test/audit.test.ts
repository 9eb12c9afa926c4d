/**
 * The audit record from a real run: a full journey with a failed check, toggles past a
 * continue-as-new, a denial in the security log, and a cancel; exported by the CLI as
 * Markdown, CSV and JSON, complete and in order, with no secret in any of them.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { SECURITY_LOG_FILE } from '../src/services';
import { runCli } from './support/cli';
import { type Harness, actors, newSecret } from './support/harness';
import { useWorld } from './support/world';

let env: TestWorkflowEnvironment;
let h: Harness;
useWorld((w) => ({ env, h } = w), { serverArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=150'] });

const cli = (args: string[]) =>
  runCli(args, { PLAID_SETUP_DATA_DIR: h.dataDir, PLAID_SETUP_MASTER_KEY: h.key.toString('base64'), TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: h.taskQueue, LOG_LEVEL: 'warn' });

test('a cancelled setup that spans a continue-as-new exports completely, in every format, without secrets', async () => {
  const wrong = newSecret();
  const worker = await h.worker();
  await worker.runUntil(async () => {
    const started = await h.start('audited');
    // A failed Sandbox test first (wrong secret), then the journey.
    await h.act('audited', 'confirmRedirect', { actor: actors.alice });
    await h.act('audited', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('audited', 'sandbox', wrong) });
    await h.act('audited', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
    await h.act('audited', 'runSandboxTest', { actor: actors.alice });
    await h.until('audited', (s) => !s.job, 'the failed test');
    await h.act('audited', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('audited', 'sandbox') });
    await h.act('audited', 'runSandboxTest', { actor: actors.alice });
    await h.until('audited', (s) => !s.job, 'the passing test');
    await h.act('audited', 'confirmCodat', { actor: actors.alice });
    await h.act('audited', 'requestProduction', { actor: actors.alice });
    await h.act('audited', 'approveProduction', { actor: actors.bob, comment: 'checked the Plaid dashboard' });
    await h.act('audited', 'submitProductionSecret', { actor: actors.alice, secret: await h.secret('audited', 'production') });
    await h.until('audited', (s) => !s.job, 'the production check');
    await h.act('audited', 'confirmCodat', { actor: actors.alice });
    await h.act('audited', 'enable', { actor: actors.alice });
    for (let i = 0; i < 30; i++) await h.act('audited', i % 2 === 0 ? 'disable' : 'enable', { actor: actors.olga });
    expect((await h.handle('audited').describe()).runId).not.toBe(started.firstExecutionRunId);
    // An enabled integration is disabled before its setup is cancelled.
    await h.act('audited', 'disable', { actor: actors.olga });
    await h.act('audited', 'cancel', { actor: actors.alice, reason: 'moving on' });
    await h.handle('audited').result();
  });
  const security = await DatabaseSecurityLog.open(path.join(h.dataDir, SECURITY_LOG_FILE), chainKeys({ current: h.key }));
  await security.record({ kind: 'denied', actor: 'U0MALLORY', action: 'approveProduction', setupId: 'audited', detail: 'needs the approver role' });
  await security.close();

  const md = await cli(['audit', 'audited']);
  expect(md.code).toBe(0);
  const json = JSON.parse((await cli(['audit', 'audited', '--format', 'json'])).stdout) as { title: string; columns: string[]; rows: Array<Record<string, string>> };
  // The shape README.md documents: a title, the columns, and rows with exactly those fields, all strings.
  expect(json.title).toBe('audited');
  expect(json.columns).toEqual(['time', 'setup', 'source', 'actor', 'action', 'step', 'outcome', 'detail']);
  for (const r of json.rows) {
    expect(Object.keys(r)).toEqual(json.columns);
    expect(Object.values(r).every((v) => typeof v === 'string')).toBe(true);
    expect(new Date(r.time!).toISOString()).toBe(r.time);
    expect(['history', 'security']).toContain(r.source);
  }
  const csv = (await cli(['audit', 'audited', '--format', 'csv'])).stdout;
  const rows = json.rows;

  // In order, from the start to the end, across both runs.
  expect(rows[0]).toMatchObject({ source: 'history', action: 'start', actor: 'Alice (U0ALICE)' });
  expect(rows.filter((r) => r.source === 'history').at(-1)).toMatchObject({ action: 'end', outcome: 'cancelled' });
  expect([...rows.map((r) => r.time)].sort()).toEqual(rows.map((r) => r.time));
  expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['continue-as-new', 'continued']));
  // Every toggle is there, though they straddle two runs.
  expect(rows.filter((r) => r.action === 'disable' || r.action === 'enable').length).toBe(32);
  // What Plaid said, with its request id; who approved; why it ended.
  expect(rows.find((r) => r.outcome === 'failed' && r.actor === 'Plaid')?.detail).toMatch(/INVALID_API_KEYS: .*\(Plaid request [A-Za-z0-9]+\)/);
  expect(rows.find((r) => r.action === 'runSandboxSmokeTest' && r.outcome === 'passed')?.detail).toMatch(/institution=First Platypus Bank/);
  expect(rows.find((r) => r.action === 'approveProduction')).toMatchObject({ actor: 'Bob (U0BOB)', outcome: 'accepted' });
  // One action confirms two different things; each row names the step it confirmed.
  expect(rows.filter((r) => r.action === 'confirmCodat').map((r) => r.step)).toEqual(['codat_portal', 'production_secret']);
  expect(rows.find((r) => r.action === 'cancel')?.detail).toBe('reason=moving on');
  expect(rows.find((r) => r.source === 'security')).toMatchObject({ actor: 'U0MALLORY', action: 'approveProduction', outcome: 'denied' });
  expect(rows.find((r) => r.action === 'submitCredentials')?.detail).toMatch(/sandboxSecret=sha256:[0-9a-f]{12}/);

  // CSV per RFC 4180: a header, CRLF line ends, one line per row (no field here spans lines).
  expect(csv.split('\r\n')[0]).toBe('time,setup,source,actor,action,step,outcome,detail');
  expect(csv.split('\r\n').filter(Boolean)).toHaveLength(rows.length + 1);
  expect(md.stdout).toContain('# Audit record: audited');

  // A period review: every setup, from a date on.
  const all = JSON.parse((await cli(['audit', '--all', '--since', '2000-01-01', '--format', 'json'])).stdout) as { rows: unknown[] };
  expect(all.rows).toEqual(rows);
  const none = JSON.parse((await cli(['audit', '--all', '--since', '2100-01-01', '--format', 'json'])).stdout) as { rows: unknown[] };
  expect(none.rows).toEqual([]);
  const bad = await cli(['audit', '--all', '--since', 'last tuesday']);
  expect(bad).toMatchObject({ code: 2 });
  expect(bad.stderr).toMatch(/--since must be a date such as 2026-11-01/);

  for (const secret of [...h.submittedSecrets, wrong, h.client.secrets.sandbox, h.client.secrets.production!]) {
    for (const text of [md.stdout, csv, JSON.stringify(json)]) expect(text).not.toContain(secret);
  }
});

test('auditing an unknown setup says so', async () => {
  const run = await cli(['audit', 'nowhere']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/There is no setup named "nowhere"/);
});
