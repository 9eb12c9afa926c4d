/**
 * The security log's hash chain on a real SQLite file: intact after appends from two
 * connections, and `plaid-setup audit verify` names the first row an edit, a deletion or
 * a reordering broke.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SqliteSecurityLog } from '../src/audit/security-log';
import { main } from '../src/cli/main';
import { SECURITY_LOG_FILE } from '../src/services';
import { SqliteDatabase } from '../src/storage/sqlite';

async function freshLog(): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'security-log-'));
  const file = path.join(dir, SECURITY_LOG_FILE);
  const a = await SqliteSecurityLog.open(file);
  const b = await SqliteSecurityLog.open(file);
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
  const { dir, file } = await freshLog();
  const log = await SqliteSecurityLog.open(file);
  expect(await log.verify()).toEqual({ ok: true, rows: 10 });
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
  const log = await SqliteSecurityLog.open(file);
  expect(await log.verify()).toMatchObject({ ok: false, brokenAt: row, reason });
  await log.close();
  const cli = await verifyCli(dir);
  expect(cli.code).toBe(1);
  expect(cli.out).toContain(`Security log broken at row ${row}`);
});
