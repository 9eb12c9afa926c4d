/**
 * Security events that never reach a workflow: denied clicks (wrong role, self-approval),
 * refused actions, forged, stale or replayed Slack requests. Kept in SQLite beside the
 * vault, append-only. Events carry who, what and when, never a secret.
 */
import { SqliteDatabase } from '../storage/sqlite';

export type SecurityEventKind = 'denied' | 'rejected' | 'forged_request' | 'stale_request' | 'replayed_request';

export interface SecurityEvent {
  kind: SecurityEventKind;
  /** The Slack user id or CLI login; absent when the request could not be trusted. */
  actor?: string;
  action?: string;
  setupId?: string;
  detail: string;
}

export interface SecurityLog {
  record(event: SecurityEvent): Promise<void>;
  list(filter?: { setupId?: string }): Promise<Array<SecurityEvent & { id: number; at: string }>>;
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
        detail   TEXT NOT NULL
      )`);
    return new SqliteSecurityLog(db);
  }

  async record(event: SecurityEvent): Promise<void> {
    await this.db.transaction(() =>
      this.db.run('INSERT INTO security_events (at, kind, actor, action, setup_id, detail) VALUES (?, ?, ?, ?, ?, ?)', [
        new Date().toISOString(),
        event.kind,
        event.actor ?? null,
        event.action ?? null,
        event.setupId ?? null,
        event.detail,
      ]),
    );
  }

  async list(filter: { setupId?: string } = {}): Promise<Array<SecurityEvent & { id: number; at: string }>> {
    const rows = await this.db.all<{ id: number; at: string; kind: SecurityEventKind; actor: string | null; action: string | null; setup_id: string | null; detail: string }>(
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
