/**
 * Security events that never reach a workflow: denied clicks (wrong role, self-approval),
 * refused actions, forged, stale or replayed Slack requests and codec tokens (counted per
 * source and minute, see refusal-counter.ts), and vault or payload key errors. Kept in
 * SQLite beside the vault, or in the shared PostgreSQL database; append-only. Events carry who, what and when, never a secret.
 *
 * Rows are chained with HMAC-SHA256 under a key derived from the master key (log-anchor.ts):
 * each row's MAC covers its fields and the previous row's, so editing, deleting or
 * reordering a row breaks every link after it, and someone who can write the database
 * but lacks the key cannot recompute the chain. The head is anchored outside the table, so
 * cutting rows off the end shows too. `verify()` names the first broken row.
 *
 * Rows written before the chain was keyed (chain = 'sha256') keep their plain SHA-256 hash:
 * they verify by the old rule, only as a prefix of the log, and verify counts them.
 *
 * What this cannot show: an old copy of the database restored together with its old
 * anchor (a rollback) is a consistent log that ends earlier. Only a copy of the anchor kept
 * elsewhere (or shipping rows off the machine) detects that.
 */
import { createHash } from 'node:crypto';
import type { Database, Queryable, StorageTarget } from '../storage/database';
import { securityEvents } from '../ops/metrics';
import { openMigrated, probeWritable, type Migration } from '../storage/migrations';
import { anchorFileOf, anchorProblem, fileAnchor, makeAnchor, tableAnchor, type AnchorStore, type ChainKey, type ChainKeys } from './log-anchor';

const GENESIS = '0'.repeat(64);
const LEGACY_CHAIN = 'sha256';
const KEYED_CHAIN = 'hmac-sha256:';

/**
 * key_error: a vault or payload key that does not open what it should (a wrong, missing or
 * rotated-out key, or altered data). tampered_log: on writing, the log did not match its
 * anchor (rows cut off, or the anchor replaced); kept in the chain so the next write cannot
 * hide it. secret_link_*: a one-time link to the secret form was issued, used, or refused
 * (unknown, expired, used or replaced: src/secret-links/store.ts).
 */
export type SecurityEventKind =
  | 'denied'
  | 'rejected'
  | 'forged_request'
  | 'stale_request'
  | 'replayed_request'
  | 'key_error'
  | 'tampered_log'
  | 'secret_link_issued'
  | 'secret_link_used'
  | 'secret_link_refused';

export interface SecurityEvent {
  kind: SecurityEventKind;
  /** The Slack user id or CLI login; absent when the request could not be trusted. */
  actor?: string;
  action?: string;
  setupId?: string;
  detail: string;
  /** How many occurrences this row stands for (refusals are counted, not written one by one); default 1. */
  count?: number;
}

export type StoredSecurityEvent = Omit<SecurityEvent, 'count'> & { id: number; at: string; count: number };

/**
 * `legacyRows`: rows from before the chain was keyed. A failure names the first broken row,
 * or (`brokenAt` absent) says how the rows disagree with the anchor.
 */
export type ChainCheck = { ok: true; rows: number; legacyRows: number } | { ok: false; rows: number; brokenAt?: number; reason: string };

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
  count: number;
  chain: string;
  prev_hash: string;
  hash: string;
}

/** The pre-key rule: SHA-256 of the fields (no count: such rows stand for one event) and the hash before. */
function legacyHash(row: Omit<Row, 'hash'>): string {
  const fields = [row.id, row.at, row.kind, row.actor, row.action, row.setup_id, row.detail, row.prev_hash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function keyedHash(key: ChainKey, row: Omit<Row, 'hash'>): string {
  return key.mac(JSON.stringify([row.chain, row.id, row.at, row.kind, row.actor, row.action, row.setup_id, row.detail, row.count, row.prev_hash]));
}

interface Head {
  rows: number;
  id: number;
  hash: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'security_events',
    async up(tx) {
      await tx.run(`
        CREATE TABLE IF NOT EXISTS security_events (
          id       INTEGER PRIMARY KEY,
          at       TEXT NOT NULL,
          kind     TEXT NOT NULL,
          actor    TEXT,
          action   TEXT,
          setup_id TEXT,
          detail   TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash     TEXT NOT NULL
        )`);
    },
  },
  {
    // Logs from before counted refusals and the keyed chain lack these two columns; old rows are one event each, hashed the old way.
    id: 2,
    name: 'security_events count and chain',
    async up(tx, engine) {
      const columns =
        engine === 'sqlite'
          ? new Set((await tx.all<{ name: string }>('PRAGMA table_info(security_events)')).map((c) => c.name))
          : new Set((await tx.all<{ name: string }>("SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'security_events'")).map((c) => c.name));
      if (!columns.has('count')) await tx.run('ALTER TABLE security_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1');
      if (!columns.has('chain')) await tx.run(`ALTER TABLE security_events ADD COLUMN chain TEXT NOT NULL DEFAULT '${LEGACY_CHAIN}'`);
    },
  },
  {
    id: 3,
    name: 'security_anchor',
    async up(tx, engine) {
      // SQLite keeps its anchor in a file beside the database (log-anchor.ts); the table is only read on PostgreSQL.
      if (engine === 'postgres') await tx.run('CREATE TABLE IF NOT EXISTS security_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)');
    },
  },
];

/** Appends hold this lock (PostgreSQL; SQLite locks the file), so two processes never chain onto the same row. */
const LOCK = 'plaid-setup/security-log';

export class DatabaseSecurityLog implements SecurityLog {
  private constructor(
    private readonly db: Database,
    private readonly anchor: AnchorStore,
    private readonly keys: ChainKeys,
  ) {}

  static async open(target: StorageTarget, keys: ChainKeys): Promise<DatabaseSecurityLog> {
    const db = await openMigrated(target, 'security-log', MIGRATIONS);
    try {
      const file = typeof target === 'string' ? target : target.engine === 'sqlite' ? target.file : undefined;
      const log = new DatabaseSecurityLog(db, file === undefined ? tableAnchor : fileAnchor(anchorFileOf(file)), keys);
      await log.firstAnchor();
      return log;
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /**
   * Gives a log that has no keyed row and no anchor yet its first anchor. That is trust on
   * first use: it vouches for the legacy rows as found.
   */
  private async firstAnchor(): Promise<void> {
    await this.db.transaction(LOCK, async (tx) => {
      if ((await this.anchor.read(tx)) !== undefined) return;
      const keyed = await tx.get<{ id: number }>('SELECT id FROM security_events WHERE chain <> ? LIMIT 1', [LEGACY_CHAIN]);
      if (keyed) return;
      const head = await this.head(tx);
      await this.anchor.write(tx, makeAnchor(this.keys, head.rows, head.hash));
    });
  }

  private async head(tx: Queryable): Promise<Head> {
    const last = await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM security_events ORDER BY id DESC LIMIT 1');
    const { rows } = (await tx.get<{ rows: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS rows FROM security_events')) as { rows: number };
    return { rows, id: last?.id ?? 0, hash: last?.hash ?? GENESIS };
  }

  /**
   * Appends inside one write transaction (SQLite: BEGIN IMMEDIATE, the file's write lock;
   * PostgreSQL: an advisory lock), so two processes cannot chain onto the same row, and
   * each writes the anchor for its own row. The anchor file is written before COMMIT (the
   * anchor row commits with the rows): a crash between the two leaves the anchor one row
   * ahead, which verify cannot tell from the last row having been deleted, so it reports it
   * (rarely a false alarm, never a missed deletion). Writing it after COMMIT instead would
   * let appenders race and leave it behind. A log found not to match its anchor gets a
   * tampered_log row first, so this write does not paper over the gap.
   */
  async record(event: SecurityEvent): Promise<void> {
    await this.db.transaction(LOCK, async (tx) => {
      let head = await this.head(tx);
      const problem = anchorProblem(this.keys, this.anchor, await this.anchor.read(tx), head.rows, head.hash);
      if (problem) head = await this.append(tx, head, { kind: 'tampered_log', detail: `Found when writing row ${head.id + 1}: ${problem}.` });
      head = await this.append(tx, head, event);
      await this.anchor.write(tx, makeAnchor(this.keys, head.rows, head.hash));
    });
    securityEvents.inc({ kind: event.kind }, event.count ?? 1);
  }

  private async append(tx: Queryable, head: Head, event: SecurityEvent): Promise<Head> {
    const row = {
      id: head.id + 1,
      at: new Date().toISOString(),
      kind: event.kind,
      actor: event.actor ?? null,
      action: event.action ?? null,
      setup_id: event.setupId ?? null,
      detail: event.detail,
      count: event.count ?? 1,
      chain: `${KEYED_CHAIN}${this.keys.current.id}`,
      prev_hash: head.hash,
    };
    const hash = keyedHash(this.keys.current, row);
    await tx.run(
      'INSERT INTO security_events (id, at, kind, actor, action, setup_id, detail, count, chain, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.at, row.kind, row.actor, row.action, row.setup_id, row.detail, row.count, row.chain, row.prev_hash, hash],
    );
    return { rows: head.rows + 1, id: row.id, hash };
  }

  /** Walks the chain from the first row, then compares its end with the anchor; the first thing that does not hold is named. */
  async verify(): Promise<ChainCheck> {
    const rows = await this.db.all<Row>('SELECT * FROM security_events ORDER BY id');
    let previous = GENESIS;
    let legacyRows = 0;
    for (const [index, row] of rows.entries()) {
      const broken = (reason: string): ChainCheck => ({ ok: false, rows: rows.length, brokenAt: row.id, reason });
      if (row.id !== index + 1) return broken(`row ${index + 1} is missing`);
      if (row.prev_hash !== previous) return broken('it does not link to the row before it');
      const problem = this.rowProblem(row, legacyRows === index);
      if (problem) return broken(problem);
      if (row.kind === 'tampered_log') return broken(`it records that the log had been tampered with: ${row.detail}`);
      if (row.chain === LEGACY_CHAIN) legacyRows += 1;
      previous = row.hash;
    }
    const problem = anchorProblem(this.keys, this.anchor, await this.anchor.read(this.db), rows.length, previous);
    if (problem) return { ok: false, rows: rows.length, reason: problem };
    return { ok: true, rows: rows.length, legacyRows };
  }

  /** Why a row's own hash does not hold; `legacyAllowed` while every row before it is a legacy one. */
  private rowProblem(row: Row, legacyAllowed: boolean): string | undefined {
    if (row.chain === LEGACY_CHAIN) {
      // Without the key anyone can compute this hash: it is accepted only before the first keyed row.
      if (!legacyAllowed) return 'it carries the old unkeyed hash after keyed rows';
      return row.count === 1 && legacyHash(row) === row.hash ? undefined : 'its contents do not match its hash';
    }
    const key = row.chain.startsWith(KEYED_CHAIN) ? this.keys.byId.get(row.chain.slice(KEYED_CHAIN.length)) : undefined;
    if (!key) return 'it was chained with a key that is neither PLAID_SETUP_MASTER_KEY nor PLAID_SETUP_PREVIOUS_MASTER_KEY';
    return keyedHash(key, row) === row.hash ? undefined : 'its contents do not match its hash';
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
      count: r.count,
      ...(r.actor ? { actor: r.actor } : {}),
      ...(r.action ? { action: r.action } : {}),
      ...(r.setup_id ? { setupId: r.setup_id } : {}),
    }));
  }

  /** Throws unless the database takes writes now (for /readyz). */
  probe(): Promise<void> {
    return probeWritable(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
