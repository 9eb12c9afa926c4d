/**
 * The same Database on PostgreSQL (`pg`), for processes on several hosts. Write
 * transactions take a transaction-scoped advisory lock named by the store, which does for
 * a read-then-write (the next secret version, the next chain row) what SQLite's file lock
 * does, across every process on the database.
 */
import pg from 'pg';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import type { Database, Queryable, SqlValue } from './database';

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our SQL has no `?` inside a literal). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Host, port and database of a URL, for messages: never its user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(an unparseable URL)';
  }
}

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async run(sql, params = []) {
      const result = await client.query(numbered(sql), params as unknown[]);
      return { changes: result.rowCount ?? 0 };
    },
    async get<T>(sql: string, params: SqlValue[] = []) {
      return (await client.query(numbered(sql), params as unknown[])).rows[0] as T | undefined;
    },
    async all<T>(sql: string, params: SqlValue[] = []) {
      return (await client.query(numbered(sql), params as unknown[])).rows as T[];
    },
  };
}

export class PostgresDatabase implements Database {
  readonly engine = 'postgres';
  private readonly direct: Queryable;

  private constructor(private readonly pool: pg.Pool) {
    this.direct = queryable(pool);
  }

  /** Connects once now, so a wrong URL or a database that is down stops start-up with its reason. */
  static async open(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    // An idle connection the server closed is replaced on the next query, which reports any lasting fault.
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new PlaidSetupError(
        ERROR_CODES.STORAGE_UNAVAILABLE,
        `Could not reach the PostgreSQL database at ${describeDatabaseUrl(url)} (PLAID_SETUP_DATABASE_URL): ${err instanceof Error ? err.message : String(err)}. Check that it is running and that the URL's user may connect.`,
      );
    }
    return new PostgresDatabase(pool);
  }

  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }> {
    return this.direct.run(sql, params);
  }

  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  async transaction<T>(lock: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
      const result = await work(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
