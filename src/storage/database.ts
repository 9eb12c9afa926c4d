/**
 * What the vault, the Item ledger, the security log and the Slack replay store need from a
 * database, on either engine: SQLite (a file, the embedded default) or PostgreSQL (shared
 * by every process, when PLAID_SETUP_DATABASE_URL is set). SQL is written once with `?`
 * placeholders and the few column types both engines read alike; migrations.ts words DDL
 * per engine where it differs.
 */
export type SqlValue = string | number | bigint | Buffer | null;

export type Engine = 'sqlite' | 'postgres';

export interface Queryable {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly engine: Engine;
  /**
   * Runs `work` in a write transaction that holds `lock` across processes from its start
   * (SQLite: the file's write lock; PostgreSQL: an advisory lock of that name), so a
   * read-then-write inside it cannot interleave with another process's.
   */
  transaction<T>(lock: string, work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where a store keeps its data: its own SQLite file (a path alone means that), or the shared PostgreSQL database. */
export type StorageTarget = string | { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };
