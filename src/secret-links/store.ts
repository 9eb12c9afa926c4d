/**
 * One-time links to the secret form: a secret is typed into a page the bot serves, not
 * into Slack (whose servers would carry it). A link is for one Slack user, one setup and
 * one secret kind, works once, and expires ten minutes after it is issued.
 *
 * Only the SHA-256 of a token is stored, so someone who can read the database cannot use
 * a link. Redeeming is one UPDATE that matches only an unused, unexpired row: two bot
 * replicas (or two browser tabs) racing on the same link cannot both win. A new link for
 * the same user, setup and purpose ends the older ones, so at most one is live.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database, StorageTarget } from '../storage/database';
import { openMigrated, probeWritable, type Migration } from '../storage/migrations';

export const SECRET_LINK_TTL_MS = 10 * 60_000;
/** Ended and expired links are kept this long, so a late click is told "expired", not "unknown". */
const KEEP_MS = 24 * 60 * 60_000;

/** What a link lets its holder enter: the credentials, the Production secret, or a rotated secret of one kind. */
export const SECRET_LINK_PURPOSES = ['credentials', 'production', 'rotate-sandbox', 'rotate-production'] as const;
export type SecretLinkPurpose = (typeof SECRET_LINK_PURPOSES)[number];

/** 32 random bytes, base64url: 43 characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SecretLink {
  /** The first 12 hex characters of the token's hash: names the link in records without being usable. */
  id: string;
  setupId: string;
  userId: string;
  purpose: SecretLinkPurpose;
  /** Where the user asked for it, so the outcome is told there too. */
  channel?: string;
  expiresAt: string;
}

/** Why a token does not open the form: never issued (or purged), past its ten minutes, used, or replaced by a newer link. */
export type LinkRefusal = 'unknown' | 'expired' | 'used' | 'superseded';

export type LinkLookup = { ok: true; link: SecretLink } | { ok: false; reason: LinkRefusal; link?: SecretLink };

interface Row {
  token_hash: string;
  setup_id: string;
  user_id: string;
  purpose: SecretLinkPurpose;
  channel: string | null;
  expires_at: string;
  ended: 'used' | 'superseded' | null;
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'secret_links',
    async up(tx) {
      await tx.run(
        `CREATE TABLE IF NOT EXISTS secret_links (
           token_hash TEXT PRIMARY KEY,
           setup_id   TEXT NOT NULL,
           user_id    TEXT NOT NULL,
           purpose    TEXT NOT NULL,
           channel    TEXT,
           created_at TEXT NOT NULL,
           expires_at TEXT NOT NULL,
           ended      TEXT,
           ended_at   TEXT
         )`,
      );
      await tx.run('CREATE INDEX IF NOT EXISTS secret_links_owner ON secret_links (setup_id, user_id, purpose)');
      await tx.run('CREATE INDEX IF NOT EXISTS secret_links_expiry ON secret_links (expires_at)');
    },
  },
];

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function linkOf(row: Row): SecretLink {
  return {
    id: row.token_hash.slice(0, 12),
    setupId: row.setup_id,
    userId: row.user_id,
    purpose: row.purpose,
    ...(row.channel ? { channel: row.channel } : {}),
    expiresAt: row.expires_at,
  };
}

export class SecretLinkStore {
  private constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** `now` is the clock links expire by (the tests move it). */
  static async open(target: StorageTarget, options: { now?: () => number } = {}): Promise<SecretLinkStore> {
    return new SecretLinkStore(await openMigrated(target, 'secret-links', MIGRATIONS), options.now ?? Date.now);
  }

  /** A new link; older live ones for the same user, setup and purpose end. Returns the token, which is not kept. */
  async issue(request: { setupId: string; userId: string; purpose: SecretLinkPurpose; channel?: string }): Promise<{ token: string; link: SecretLink }> {
    const token = randomBytes(32).toString('base64url');
    const hash = hashOf(token);
    const now = this.now();
    const at = new Date(now).toISOString();
    const expiresAt = new Date(now + SECRET_LINK_TTL_MS).toISOString();
    await this.db.transaction('plaid-setup/secret-links', async (tx) => {
      await tx.run('DELETE FROM secret_links WHERE expires_at < ?', [new Date(now - KEEP_MS).toISOString()]);
      await tx.run(
        "UPDATE secret_links SET ended = 'superseded', ended_at = ? WHERE setup_id = ? AND user_id = ? AND purpose = ? AND ended IS NULL",
        [at, request.setupId, request.userId, request.purpose],
      );
      await tx.run('INSERT INTO secret_links (token_hash, setup_id, user_id, purpose, channel, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        hash,
        request.setupId,
        request.userId,
        request.purpose,
        request.channel ?? null,
        at,
        expiresAt,
      ]);
    });
    return { token, link: { id: hash.slice(0, 12), setupId: request.setupId, userId: request.userId, purpose: request.purpose, ...(request.channel ? { channel: request.channel } : {}), expiresAt } };
  }

  /** What the token opens now, without using it up (showing the form). */
  async peek(token: string): Promise<LinkLookup> {
    if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'unknown' };
    const row = await this.db.get<Row>('SELECT * FROM secret_links WHERE token_hash = ?', [hashOf(token)]);
    return this.judge(row);
  }

  /** Uses the link up: true for exactly one caller, while it is live. */
  async redeem(token: string): Promise<LinkLookup> {
    if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'unknown' };
    const hash = hashOf(token);
    const at = new Date(this.now()).toISOString();
    const { changes } = await this.db.run("UPDATE secret_links SET ended = 'used', ended_at = ? WHERE token_hash = ? AND ended IS NULL AND expires_at > ?", [at, hash, at]);
    const row = await this.db.get<Row>('SELECT * FROM secret_links WHERE token_hash = ?', [hash]);
    if (changes === 1 && row) return { ok: true, link: linkOf(row) };
    const judged = this.judge(row);
    // Ended between the look and the update by someone else: it was used.
    return judged.ok ? { ok: false, reason: 'used', link: judged.link } : judged;
  }

  private judge(row: Row | undefined): LinkLookup {
    if (!row) return { ok: false, reason: 'unknown' };
    const link = linkOf(row);
    if (row.ended) return { ok: false, reason: row.ended, link };
    if (row.expires_at <= new Date(this.now()).toISOString()) return { ok: false, reason: 'expired', link };
    return { ok: true, link };
  }

  /** Throws unless the database takes writes now (for /readyz). */
  probe(): Promise<void> {
    return probeWritable(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
