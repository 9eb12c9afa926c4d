/** Opens the database a store is configured for. */
import type { Database, StorageTarget } from './database';
import { PostgresDatabase } from './postgres';
import { SqliteDatabase } from './sqlite';

export function openDatabase(target: StorageTarget): Promise<Database> {
  if (typeof target === 'string') return SqliteDatabase.open(target);
  return target.engine === 'postgres' ? PostgresDatabase.open(target.url) : SqliteDatabase.open(target.file);
}
