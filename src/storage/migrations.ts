/**
 * Schema migrations, run when a store opens: each store's steps in order, each applied
 * once and recorded in schema_migrations. They run under one lock across processes, so
 * two processes starting at once (two workers, a worker and a bot) never both apply a step.
 */
import type { Database, Engine, Queryable, StorageTarget } from './database';
import { openDatabase } from './open';

export interface Migration {
  /** Ascending within its store; never renumbered once released. */
  id: number;
  name: string;
  up(tx: Queryable, engine: Engine): Promise<void>;
}

/** The binary column type: SQLite's BLOB, PostgreSQL's BYTEA. */
export const bytes = (engine: Engine): string => (engine === 'postgres' ? 'BYTEA' : 'BLOB');

const LOCK = 'plaid-setup/migrations';

/** Applies the steps of `store` that this database has not seen yet; returns their names. */
export async function migrate(db: Database, store: string, migrations: readonly Migration[]): Promise<string[]> {
  return db.transaction(LOCK, async (tx) => {
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         store      TEXT NOT NULL,
         id         INTEGER NOT NULL,
         name       TEXT NOT NULL,
         applied_at TEXT NOT NULL,
         PRIMARY KEY (store, id)
       )`,
    );
    const done = new Set((await tx.all<{ id: number }>('SELECT id FROM schema_migrations WHERE store = ?', [store])).map((r) => r.id));
    const applied: string[] = [];
    for (const step of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(step.id)) continue;
      await step.up(tx, db.engine);
      await tx.run('INSERT INTO schema_migrations (store, id, name, applied_at) VALUES (?, ?, ?, ?)', [store, step.id, step.name, new Date().toISOString()]);
      applied.push(step.name);
    }
    return applied;
  });
}

/** Opens the target's database with `store`'s migrations applied; closed again if they fail. */
export async function openMigrated(target: StorageTarget, store: string, migrations: readonly Migration[]): Promise<Database> {
  const db = await openDatabase(target);
  try {
    await migrate(db, store, migrations);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * Proves the database takes writes now: a write transaction (SQLite: the file's write lock)
 * with an UPDATE that matches nothing, which a read-only database or replica refuses.
 */
export async function probeWritable(db: Database): Promise<void> {
  await db.transaction('plaid-setup/probe', (tx) => tx.run('UPDATE schema_migrations SET name = name WHERE id < 0'));
}
