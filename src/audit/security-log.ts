/**
 * Security events that never reach a workflow: denied clicks (wrong role, self-approval),
 * refused actions, forged, stale or replayed Slack requests and codec tokens, and vault or
 * payload key errors. Kept in SQLite beside the
 * vault, append-only. Events carry who, what and when, never a secret.
 *
 * Rows are hash-chained: each row's hash covers its own fields and the previous row's
 * hash, so editing, deleting or reordering a row breaks every link after it, and
 * `verify()` names the first broken one.
 */
import { createHash } from 'node:crypto';
import { SqliteDatabase } from '../storage/sqlite';

const GENESIS = '0'.repeat(64);

/** key_error: a vault or payload key that does not open what it should (a wrong, missing or rotated-out key, or altered data). */
export type SecurityEventKind = 'denied' | 'rejected' | 'forged_request' | 'stale_request' | 'replayed_request' | 'key_error';

export interface SecurityEvent {
  kind: SecurityEventKind;
  /** The Slack user id or CLI login; absent when the request could not be trusted. */
  actor?: string;
  action?: string;
  setupId?: string;
  detail: string;
}

export type StoredSecurityEvent = SecurityEvent & { id: number; at: string };

export type ChainCheck = { ok: true; rows: number } | { ok: false; rows: number; brokenAt: number; reason: string };

export interface SecurityLog {
  record(event: SecurityEvent): Promise<void>;
  list(filter?: { setupId?: string }): Promise<StoredSecurityEvent[]>;
}

interface Row {
  id: number;
  at: string;
  kind: SecurityEventKind;
  actor: string | null;
  action: string | null;
  setup_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The hash of a row: its fields in a fixed order, and the hash before it. */
function hashOf(row: Omit<Row, 'hash'>): string {
  const fields = [row.id, row.at, row.kind, row.actor, row.action, row.setup_id, row.detail, row.prev_hash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export class SqliteSecurityLog implements SecurityLog {
  private constructor(private readonly db: SqliteDatabase) {}

  static async open(file: string): Promise<SqliteSecurityLog> {
    const db = await SqliteDatabase.open(file);
    await db.exec(`
      CREATE TABLE IF NOT EXISTS security_events (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        at       TEXT NOT NULL,
        kind     TEXT NOT NULL,
        actor    TEXT,
        action   TEXT,
        setup_id TEXT,
        detail   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash     TEXT NOT NULL
      )`);
    return new SqliteSecurityLog(db);
  }

  async record(event: SecurityEvent): Promise<void> {
    // Inside one write transaction, so two processes cannot chain onto the same row.
    await this.db.transaction(async () => {
      const last = await this.db.get<{ id: number; hash: string }>('SELECT id, hash FROM security_events ORDER BY id DESC LIMIT 1');
      const row = {
        id: (last?.id ?? 0) + 1,
        at: new Date().toISOString(),
        kind: event.kind,
        actor: event.actor ?? null,
        action: event.action ?? null,
        setup_id: event.setupId ?? null,
        detail: event.detail,
        prev_hash: last?.hash ?? GENESIS,
      };
      await this.db.run(
        'INSERT INTO security_events (id, at, kind, actor, action, setup_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [row.id, row.at, row.kind, row.actor, row.action, row.setup_id, row.detail, row.prev_hash, hashOf(row)],
      );
    });
  }

  /** Walks the chain from the first row; the first row whose hash or link does not hold is named. */
  async verify(): Promise<ChainCheck> {
    const rows = await this.db.all<Row>('SELECT * FROM security_events ORDER BY id');
    let previous = GENESIS;
    let expectedId = 1;
    for (const row of rows) {
      const broken = (reason: string): ChainCheck => ({ ok: false, rows: rows.length, brokenAt: row.id, reason });
      if (row.id !== expectedId) return broken(`row ${expectedId} is missing`);
      if (row.prev_hash !== previous) return broken('it does not link to the row before it');
      if (hashOf(row) !== row.hash) return broken('its contents do not match its hash');
      previous = row.hash;
      expectedId += 1;
    }
    return { ok: true, rows: rows.length };
  }

  async list(filter: { setupId?: string } = {}): Promise<StoredSecurityEvent[]> {
    const rows = await this.db.all<Row>(
      filter.setupId ? 'SELECT * FROM security_events WHERE setup_id = ? ORDER BY id' : 'SELECT * FROM security_events ORDER BY id',
      filter.setupId ? [filter.setupId] : [],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      detail: r.detail,
      ...(r.actor ? { actor: r.actor } : {}),
      ...(r.action ? { action: r.action } : {}),
      ...(r.setup_id ? { setupId: r.setup_id } : {}),
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
