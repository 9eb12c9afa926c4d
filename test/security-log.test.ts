/**
 * The security log's keyed hash chain and its anchor on real files: intact after appends
 * from two connections, and `plaid-setup audit verify` names the first row an edit, a
 * deletion or a reordering broke, and finds rows cut off the end, a chain recomputed
 * without the key, and a forged or missing anchor. Logs from before the chain was keyed
 * still verify, by the old rule, and are counted.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { main } from '../src/cli/main';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openSecurityLog, SECURITY_LOG_FILE } from '../src/services';
import { SqliteDatabase } from '../src/storage/sqlite';

/** The log as the CLI opens it: keyed from the data dir's (development) master key. */
const openIn = (dir: string) => openSecurityLog(loadConfig({ PLAID_SETUP_DATA_DIR: dir }), createLogger('error', () => undefined));
const masterKeyOf = (dir: string) => Buffer.from(readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), 'base64');

async function freshLog(): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'security-log-'));
  const file = path.join(dir, SECURITY_LOG_FILE);
  const a = await openIn(dir);
  const b = await openIn(dir);
  // Two connections (bot and CLI) appending at once still make one chain.
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? a : b).record({ kind: 'denied', actor: `U${i}`, action: 'approveProduction', setupId: 'acme', detail: 'needs the approver role' }),
    ),
  );
  await a.close();
  await b.close();
  return { dir, file };
}

async function verifyCli(dir: string): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(['node', 'plaid-setup', 'audit', 'verify'], {
    stdout: (t) => void out.push(t),
    stderr: (t) => void out.push(t),
    stdin: Readable.from([]),
    env: { PLAID_SETUP_DATA_DIR: dir },
  });
  return { code, out: out.join('') };
}

async function tamper(file: string, sql: string): Promise<void> {
  const db = await SqliteDatabase.open(file);
  await db.exec(sql);
  await db.close();
}

test('an untouched log verifies', async () => {
  const { dir } = await freshLog();
  const log = await openIn(dir);
  expect(await log.verify()).toEqual({ ok: true, rows: 10, legacyRows: 0 });
  expect((await log.list()).map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await log.close();
  expect(await verifyCli(dir)).toEqual({ code: 0, out: 'Security log intact: 10 row(s), every link holds.\n' });
});

test.each([
  ['an edited detail', 'UPDATE security_events SET detail = "fine" WHERE id = 4', 4, 'its contents do not match its hash'],
  ['an edited actor with a recomputed-looking hash', "UPDATE security_events SET actor = 'U99', hash = '" + 'a'.repeat(64) + "' WHERE id = 6", 6, 'its contents do not match its hash'],
  ['a deleted row', 'DELETE FROM security_events WHERE id = 3', 4, 'row 3 is missing'],
  ['swapped rows', 'UPDATE security_events SET id = 100 WHERE id = 7; UPDATE security_events SET id = 7 WHERE id = 8; UPDATE security_events SET id = 8 WHERE id = 100;', 7, 'it does not link to the row before it'],
])('%s is found by verify', async (_what, sql, row, reason) => {
  const { dir, file } = await freshLog();
  await tamper(file, sql);
  const log = await openIn(dir);
  expect(await log.verify()).toMatchObject({ ok: false, brokenAt: row, reason });
  await log.close();
  const cli = await verifyCli(dir);
  expect(cli.code).toBe(1);
  expect(cli.out).toContain(`Security log broken at row ${row}`);
});

/** The hashes as someone without the key could compute them: the old SHA-256 rule, or an HMAC under a guessed key. */
type RawRow = { id: number; at: string; kind: string; actor: string | null; action: string | null; setup_id: string | null; detail: string; count: number; chain: string; prev_hash: string; hash: string };
const legacyHash = (r: RawRow) => createHash('sha256').update(JSON.stringify([r.id, r.at, r.kind, r.actor, r.action, r.setup_id, r.detail, r.prev_hash])).digest('hex');
function guessedKeyHash(r: RawRow): string {
  const key = Buffer.from(hkdfSync('sha256', randomBytes(32), Buffer.alloc(0), 'plaid-setup/security-log/v1', 32));
  return createHmac('sha256', key).update(JSON.stringify([r.chain, r.id, r.at, r.kind, r.actor, r.action, r.setup_id, r.detail, r.count, r.prev_hash])).digest('hex');
}

/** Edits row 4's detail, then recomputes every hash from there on with `rehash` (and `chain`, when given). */
async function recomputeChain(file: string, rehash: (r: RawRow) => string, chain?: string): Promise<string> {
  const db = await SqliteDatabase.open(file);
  const rows = await db.all<RawRow>('SELECT * FROM security_events ORDER BY id');
  let previous = '0'.repeat(64);
  for (const row of rows) {
    const r = { ...row, prev_hash: previous, ...(row.id === 4 ? { detail: 'nothing happened' } : {}), ...(chain ? { chain } : {}) };
    r.hash = rehash(r);
    await db.run('UPDATE security_events SET detail = ?, chain = ?, prev_hash = ?, hash = ? WHERE id = ?', [r.detail, r.chain, r.prev_hash, r.hash, r.id]);
    previous = r.hash;
  }
  await db.close();
  return previous;
}

const anchorFile = (dir: string) => path.join(dir, 'security.anchor');

describe('the anchor', () => {
  test('deleting the last rows is found: the anchor counts more', async () => {
    const { dir, file } = await freshLog();
    await tamper(file, 'DELETE FROM security_events WHERE id > 8');
    const log = await openIn(dir);
    expect(await log.verify()).toEqual({ ok: false, rows: 8, reason: 'the anchor counts 10 rows but the log has 8: rows were cut off the end' });
    await log.close();
    const cli = await verifyCli(dir);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('Security log does not match its anchor: the anchor counts 10 rows but the log has 8');
  });

  test('a chain recomputed by the old public rule does not end where the anchor says', async () => {
    const { dir, file } = await freshLog();
    await recomputeChain(file, legacyHash, 'sha256');
    const log = await openIn(dir);
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'the last row is not the one the anchor names' });
    await log.close();
  });

  test('a chain recomputed by the old rule with an anchor to match fails on the MAC', async () => {
    const { dir, file } = await freshLog();
    const head = await recomputeChain(file, legacyHash, 'sha256');
    const forged = JSON.parse(readFileSync(anchorFile(dir), 'utf8')) as { key: string };
    writeFileSync(anchorFile(dir), JSON.stringify({ rows: 10, hash: head, key: forged.key, mac: createHmac('sha256', randomBytes(32)).update(head).digest('hex') }));
    const log = await openIn(dir);
    expect(await log.verify()).toEqual({ ok: false, rows: 10, reason: 'the anchor file was not written with the security log key (PLAID_SETUP_MASTER_KEY)' });
    await log.close();
    expect((await verifyCli(dir)).code).toBe(1);
  });

  test('a chain recomputed with a guessed key fails at the first recomputed row', async () => {
    const { dir, file } = await freshLog();
    await recomputeChain(file, guessedKeyHash);
    const log = await openIn(dir);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 1, reason: 'its contents do not match its hash' });
    await log.close();
  });

  test.each([
    ['garbage', 'not json', 'the anchor file security.anchor is unreadable'],
    ['fields missing', '{"rows": 8}', 'the anchor file security.anchor is unreadable'],
    ['a made-up MAC', '{"rows": 8, "hash": "HEAD", "key": "KEY", "mac": "' + 'f'.repeat(64) + '"}', 'the anchor file was not written with the security log key (PLAID_SETUP_MASTER_KEY)'],
  ])('a forged anchor (%s) over cut-off rows is found', async (_what, text, reason) => {
    const { dir, file } = await freshLog();
    const log = await openIn(dir);
    const head = (await log.list())[7]!;
    await log.close();
    const current = JSON.parse(readFileSync(anchorFile(dir), 'utf8')) as { key: string };
    const db = await SqliteDatabase.open(file);
    const row8 = await db.get<{ hash: string }>('SELECT hash FROM security_events WHERE id = ?', [head.id]);
    await db.close();
    await tamper(file, 'DELETE FROM security_events WHERE id > 8');
    writeFileSync(anchorFile(dir), text.replace('HEAD', row8!.hash).replace('KEY', current.key));
    const reopened = await openIn(dir);
    expect(await reopened.verify()).toEqual({ ok: false, rows: 8, reason });
    await reopened.close();
  });

  test('a deleted anchor is found, and the next write keeps the finding in the chain', async () => {
    const { dir } = await freshLog();
    rmSync(anchorFile(dir));
    const log = await openIn(dir);
    expect(await log.verify()).toEqual({ ok: false, rows: 10, reason: 'the anchor file security.anchor is missing' });
    await log.record({ kind: 'denied', actor: 'U1', detail: 'needs the approver role' });
    const after = await log.verify();
    expect(after).toMatchObject({ ok: false, brokenAt: 11, reason: expect.stringMatching(/^it records that the log had been tampered with: Found when writing row 11: the anchor file security.anchor is missing/) });
    expect((await log.list()).map((e) => e.kind).slice(-2)).toEqual(['tampered_log', 'denied']);
    await log.close();
  });

  test('rows written under the previous master key still verify after a rotation', async () => {
    const { dir, file } = await freshLog();
    const log = await DatabaseSecurityLog.open(file, chainKeys({ current: randomBytes(32), previous: masterKeyOf(dir) }));
    expect(await log.verify()).toEqual({ ok: true, rows: 10, legacyRows: 0 });
    await log.record({ kind: 'denied', actor: 'U1', detail: 'needs the approver role' });
    expect(await log.verify()).toEqual({ ok: true, rows: 11, legacyRows: 0 });
    await log.close();
    const stranger = await DatabaseSecurityLog.open(file, chainKeys({ current: randomBytes(32) }));
    expect(await stranger.verify()).toMatchObject({ ok: false, brokenAt: 1, reason: 'it was chained with a key that is neither PLAID_SETUP_MASTER_KEY nor PLAID_SETUP_PREVIOUS_MASTER_KEY' });
    await stranger.close();
  });
});

describe('a log from before the chain was keyed', () => {
  /** The table and rows as earlier versions wrote them: no count or chain column, plain SHA-256, no anchor. */
  async function oldLog(rows: number): Promise<{ dir: string; file: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'security-log-old-'));
    const file = path.join(dir, SECURITY_LOG_FILE);
    const db = await SqliteDatabase.open(file);
    await db.exec('CREATE TABLE security_events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT, action TEXT, setup_id TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)');
    let previous = '0'.repeat(64);
    for (let id = 1; id <= rows; id++) {
      const r = { id, at: `2025-01-0${id}T00:00:00.000Z`, kind: 'denied', actor: `U${id}`, action: 'approveProduction', setup_id: 'acme', detail: 'needs the approver role', count: 1, chain: 'sha256', prev_hash: previous, hash: '' };
      r.hash = legacyHash(r);
      await db.run('INSERT INTO security_events (id, at, kind, actor, action, setup_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [r.id, r.at, r.kind, r.actor, r.action, r.setup_id, r.detail, r.prev_hash, r.hash]);
      previous = r.hash;
    }
    await db.close();
    return { dir, file };
  }

  test('verifies by the old rule, says how many rows predate the key, and new rows chain on keyed', async () => {
    const { dir } = await oldLog(3);
    const log = await openIn(dir);
    expect(await log.verify()).toEqual({ ok: true, rows: 3, legacyRows: 3 });
    await log.record({ kind: 'denied', actor: 'U9', detail: 'needs the approver role' });
    await log.record({ kind: 'rejected', actor: 'U9', detail: 'already confirmed' });
    expect(await log.verify()).toEqual({ ok: true, rows: 5, legacyRows: 3 });
    expect((await log.list()).map((e) => e.count)).toEqual([1, 1, 1, 1, 1]);
    await log.close();
    expect(await verifyCli(dir)).toEqual({
      code: 0,
      out: 'Security log intact: 5 row(s), every link holds. 3 of them predate the keyed chain and were checked with the old unkeyed hash only.\n',
    });
  });

  test('an edited old row is still found, and a keyed row turned into an old one is refused', async () => {
    const edited = await oldLog(3);
    await tamper(edited.file, 'UPDATE security_events SET detail = "fine" WHERE id = 2');
    const log = await openIn(edited.dir);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 2, reason: 'its contents do not match its hash' });
    await log.close();

    const { dir, file } = await oldLog(2);
    const upgraded = await openIn(dir);
    await upgraded.record({ kind: 'denied', actor: 'U9', detail: 'needs the approver role' });
    await upgraded.record({ kind: 'denied', actor: 'U9', detail: 'needs the approver role' });
    await upgraded.close();
    // Without the key, the old rule is the only one an intruder can compute: a keyed row rewritten by it is refused...
    const db = await SqliteDatabase.open(file);
    const last = (await db.get<RawRow>('SELECT * FROM security_events WHERE id = 4'))!;
    const rewritten = { ...last, detail: 'nothing happened', chain: 'sha256' };
    await db.run('UPDATE security_events SET detail = ?, chain = ?, hash = ? WHERE id = 4', [rewritten.detail, rewritten.chain, legacyHash(rewritten)]);
    await db.close();
    const reopened = await openIn(dir);
    expect(await reopened.verify()).toMatchObject({ ok: false, brokenAt: 4, reason: 'it carries the old unkeyed hash after keyed rows' });
    await reopened.close();
    // ...and so is the whole log rewritten by it: it no longer ends where the anchor says.
    await recomputeChain(file, legacyHash, 'sha256');
    const rewrittenLog = await openIn(dir);
    expect(await rewrittenLog.verify()).toMatchObject({ ok: false, reason: 'the last row is not the one the anchor names' });
    await rewrittenLog.close();
  });
});
