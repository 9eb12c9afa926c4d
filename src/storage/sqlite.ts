/**
 * A small promise wrapper over `sqlite3`, set up so several processes (bot, worker, CLI)
 * can share one file: WAL journal, a busy timeout, and IMMEDIATE write transactions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import type { Database, Queryable, SqlValue } from './database';

export class SqliteDatabase implements Database {
  readonly engine = 'sqlite';

  /** Serialises this process's transactions: they share one connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: sqlite3.Database) {}

  static async open(file: string): Promise<SqliteDatabase> {
    let db: sqlite3.Database;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      db = await new Promise<sqlite3.Database>((resolve, reject) => {
        const handle = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(handle)));
      });
    } catch (err) {
      throw new PlaidSetupError(
        ERROR_CODES.STORAGE_UNAVAILABLE,
        `Could not open the SQLite database ${file}: ${err instanceof Error ? err.message : String(err)}. Check that PLAID_SETUP_DATA_DIR is a folder this user can write.`,
      );
    }
    const wrapped = new SqliteDatabase(db);
    db.configure('busyTimeout', 10_000);
    // Switching a new file to WAL needs it to itself, and SQLite answers BUSY there without
    // waiting on busyTimeout: processes opening one file at once take turns here.
    for (let attempt = 1; ; attempt++) {
      try {
        await wrapped.exec('PRAGMA journal_mode = WAL');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 100) throw err;
        await new Promise((r) => setTimeout(r, 10 * Math.min(attempt, 10)));
      }
    }
    await wrapped.exec('PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
    return wrapped;
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  run(sql: string, params: SqlValue[] = []): Promise<{ changes: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes });
      }),
    );
  }

  get<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T | undefined))),
    );
  }

  all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  }

  /**
   * Runs `work` in a write transaction that takes the file's write lock up front (BEGIN
   * IMMEDIATE), so a read-then-write inside it cannot interleave with another process. The
   * file has one lock, so `lock` needs no name of its own here.
   */
  transaction<T>(_lock: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.runTransaction(work));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(this);
      await this.exec('COMMIT');
      return result;
    } catch (err) {
      await this.exec('ROLLBACK');
      throw err;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
