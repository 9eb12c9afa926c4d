/**
 * The security log's key and its anchor: the head of the chain (row count and last hash)
 * kept outside the table, with an HMAC so it cannot be rewritten without the key. On
 * SQLite it is the file `security.anchor` beside the database; on PostgreSQL, where the
 * processes share no disk, the one row of `security_anchor`. The row hashes alone show an edited, reordered or
 * deleted middle row; only the anchor shows that rows were cut off the end.
 *
 * The key is derived (HKDF-SHA256) from the vault's master key, never the master key
 * itself, so the log's MACs reveal nothing about what encrypts the vault. A previous master
 * key still verifies what was written before a rotation.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../storage/database';
import type { VaultKeys } from '../vault/vault';

const KEY_INFO = 'plaid-setup/security-log/v1';
const ANCHOR_LABEL = 'plaid-setup/security-anchor/v1';

export interface ChainKey {
  /** Names the key in each row (`chain`) without revealing it. */
  id: string;
  mac(text: string): string;
}

export interface ChainKeys {
  current: ChainKey;
  byId: ReadonlyMap<string, ChainKey>;
}

function chainKey(masterKey: Buffer): ChainKey {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), KEY_INFO, 32));
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  return { id: mac('key-id').slice(0, 16), mac };
}

export function chainKeys(master: VaultKeys): ChainKeys {
  const current = chainKey(master.current);
  const keys = [current, ...(master.previous ? [chainKey(master.previous)] : [])];
  return { current, byId: new Map(keys.map((k) => [k.id, k])) };
}

export interface Anchor {
  rows: number;
  hash: string;
  key: string;
  mac: string;
}

const anchorText = (rows: number, hash: string) => JSON.stringify([ANCHOR_LABEL, rows, hash]);

/** Where the anchor is kept. `read` gives undefined when there is none, null when it cannot be read. */
export interface AnchorStore {
  /** How a message names it: in full, and as a kind ("the anchor file"). */
  readonly name: string;
  readonly kind: string;
  read(tx: Queryable): Promise<unknown>;
  write(tx: Queryable, anchor: Anchor): Promise<void>;
}

export function makeAnchor(keys: ChainKeys, rows: number, hash: string): Anchor {
  return { rows, hash, key: keys.current.id, mac: keys.current.mac(anchorText(rows, hash)) };
}

export function anchorFileOf(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), 'security.anchor');
}

/** The anchor as a file, replaced atomically and durably: a temporary file, fsync, rename, fsync of the directory. */
export function fileAnchor(file: string): AnchorStore {
  return {
    name: `the anchor file ${path.basename(file)}`,
    kind: 'the anchor file',
    async read() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return null;
      }
    },
    async write(_tx, anchor) {
      const temp = `${file}.${process.pid}.tmp`;
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(anchor)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
      const dir = openSync(path.dirname(file), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    },
  };
}

/** The anchor as the one row of security_anchor, written in the appending transaction. */
export const tableAnchor: AnchorStore = {
  name: 'the anchor row (table security_anchor)',
  kind: 'the anchor row',
  async read(tx) {
    const row = await tx.get<{ value: string }>('SELECT value FROM security_anchor WHERE id = 1');
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return null;
    }
  },
  async write(tx, anchor) {
    await tx.run('INSERT INTO security_anchor (id, value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value', [JSON.stringify(anchor)]);
  },
};

/** Why the anchor does not vouch for a log of `rows` rows ending in `head`; undefined when it does. */
export function anchorProblem(keys: ChainKeys, store: AnchorStore, anchor: unknown, rows: number, head: string): string | undefined {
  if (anchor === undefined) return `${store.name} is missing`;
  const a = anchor as Partial<Anchor> | null;
  if (typeof a?.rows !== 'number' || typeof a.hash !== 'string' || typeof a.key !== 'string' || typeof a.mac !== 'string') return `${store.name} is unreadable`;
  const key = keys.byId.get(a.key);
  const expected = key ? Buffer.from(key.mac(anchorText(a.rows, a.hash))) : undefined;
  if (!expected || expected.length !== a.mac.length || !timingSafeEqual(expected, Buffer.from(a.mac))) {
    return `${store.kind} was not written with the security log key (PLAID_SETUP_MASTER_KEY)`;
  }
  if (a.rows > rows) return `the anchor counts ${a.rows} rows but the log has ${rows}: rows were cut off the end`;
  if (a.rows < rows) return `the log has ${rows - a.rows} row(s) more than the anchor counts (${a.rows})`;
  if (a.hash !== head) return 'the last row is not the one the anchor names';
  return undefined;
}
