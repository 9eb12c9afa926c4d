/**
 * Secrets at rest: AES-256-GCM with a random IV per secret and associated data binding
 * the ciphertext to its setup, kind and version, so a row copied elsewhere will not open.
 * Callers outside the vault see a reference and a fingerprint, never the value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecurityLog } from '../audit/security-log';
import { ERROR_CODES, PlaidSetupError, isPlaidSetupError } from '../errors';
import type { ItemLedger, LedgerEntry } from '../plaid/checks';
import type { SecretKind, SecretRef, SecretValue } from '../shared/schemas';
import type { Database, StorageTarget } from '../storage/database';
import { bytes, openMigrated, probeWritable, type Migration } from '../storage/migrations';

const IV_BYTES = 12;
const FORMAT = 'plaid-setup/vault/v1';

export interface VaultKeys {
  current: Buffer;
  /** Accepted for reading while secrets are re-encrypted under the current key. */
  previous?: Buffer;
}

/** Whose secret, of which kind, a caller may open: the setup and environment it acts for. */
export interface SecretOwner {
  setupId: string;
  kind: SecretKind;
}

/** A secret's value and the fingerprint of what is stored, not of what the caller claimed. */
export interface RevealedSecret {
  value: string;
  fingerprint: string;
}

export interface VaultOptions {
  /** Where key errors (a wrong or rotated-out key, an altered row) and refused reveals are recorded. */
  security?: Pick<SecurityLog, 'record'>;
}

interface SecretRow {
  ref: string;
  setup_id: string;
  kind: SecretKind;
  version: number;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** A short, one-way identifier an operator can compare without seeing the secret. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12)}`;
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function aad(setupId: string, kind: SecretKind, version: number): Buffer {
  return Buffer.from(`${FORMAT}|${setupId}|${kind}|${version}`, 'utf8');
}

function itemAad(setupId: string, id: string): Buffer {
  return Buffer.from(`${FORMAT}|item|${setupId}|${id}`, 'utf8');
}

interface ItemRow {
  setup_id: string;
  id: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseRef(ref: string): { setupId: string; kind: SecretKind; version: number } | undefined {
  const match = /^vault:([a-z0-9-]+)\/(sandbox|development|production)\/v([0-9]+)$/.exec(ref);
  if (!match) return undefined;
  return { setupId: match[1] as string, kind: match[2] as SecretKind, version: Number(match[3]) };
}

const VAULT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'vault_secrets and vault_items',
    async up(tx, engine) {
      await tx.run(`
        CREATE TABLE IF NOT EXISTS vault_secrets (
          ref        TEXT PRIMARY KEY,
          setup_id   TEXT NOT NULL,
          kind       TEXT NOT NULL,
          version    INTEGER NOT NULL,
          key_id     TEXT NOT NULL,
          iv         ${bytes(engine)} NOT NULL,
          ciphertext ${bytes(engine)} NOT NULL,
          tag        ${bytes(engine)} NOT NULL,
          fingerprint TEXT NOT NULL,
          created_at TEXT NOT NULL,
          UNIQUE (setup_id, kind, version)
        )`);
      await tx.run(`
        CREATE TABLE IF NOT EXISTS vault_items (
          setup_id   TEXT NOT NULL,
          id         TEXT NOT NULL,
          item_id    TEXT,
          key_id     TEXT NOT NULL,
          iv         ${bytes(engine)} NOT NULL,
          ciphertext ${bytes(engine)} NOT NULL,
          tag        ${bytes(engine)} NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (setup_id, id)
        )`);
    },
  },
];

/** Write transactions of the vault hold this lock (PostgreSQL; SQLite locks the file). */
const LOCK = 'plaid-setup/vault';

export class Vault {
  private constructor(
    private readonly db: Database,
    private readonly keys: VaultKeys,
    private readonly options: VaultOptions,
  ) {
    for (const key of [keys.current, keys.previous]) {
      if (key && key.length !== 32) {
        throw new PlaidSetupError(ERROR_CODES.VAULT_KEY_INVALID, 'The vault key must be 32 bytes.');
      }
    }
  }

  static async open(target: StorageTarget, keys: VaultKeys, options: VaultOptions = {}): Promise<Vault> {
    return new Vault(await openMigrated(target, 'vault', VAULT_MIGRATIONS), keys, options);
  }

  /** Encrypts and stores a new version of a setup's secret of this kind. */
  async put(setupId: string, kind: SecretKind, value: SecretValue): Promise<SecretRef> {
    const print = fingerprint(value);
    return this.db.transaction(LOCK, async (tx) => {
      const row = await tx.get<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM vault_secrets WHERE setup_id = ? AND kind = ?',
        [setupId, kind],
      );
      const version = (row?.v ?? 0) + 1;
      const ref = `vault:${setupId}/${kind}/v${version}`;
      const { iv, ciphertext, tag } = this.encrypt(value, aad(setupId, kind, version), this.keys.current);
      await tx.run(
        `INSERT INTO vault_secrets (ref, setup_id, kind, version, key_id, iv, ciphertext, tag, fingerprint, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [ref, setupId, kind, version, keyId(this.keys.current), iv, ciphertext, tag, print, new Date().toISOString()],
      );
      return { ref, fingerprint: print };
    });
  }

  /**
   * Decrypts a secret for `owner`. A reference is only a claim: one naming another setup
   * or another kind, or a fingerprint that is not the stored secret's, is refused (and
   * recorded) before anything is decrypted or used. A tampered row or an unknown key is an
   * error, never garbage.
   */
  async reveal(secret: SecretRef, owner: SecretOwner): Promise<RevealedSecret> {
    const parsed = parseRef(secret.ref);
    if (parsed && (parsed.setupId !== owner.setupId || parsed.kind !== owner.kind)) {
      await this.refuse(owner.setupId, new PlaidSetupError(
        ERROR_CODES.SECRET_REF_MISMATCH,
        `Secret ${secret.ref} is setup ${parsed.setupId}'s ${parsed.kind} secret, not its ${owner.kind} secret for setup ${owner.setupId}; it was not used.`,
      ));
    }
    const row = await this.row(secret.ref);
    const value = await this.keyChecked('vault.reveal', row.setup_id, async () => this.openSecret(row));
    const stored = fingerprint(value);
    if (stored !== secret.fingerprint) {
      await this.refuse(owner.setupId, new PlaidSetupError(
        ERROR_CODES.SECRET_FINGERPRINT_MISMATCH,
        `Secret ${secret.ref} does not have the fingerprint ${secret.fingerprint} it was submitted with; it was not used.`,
      ));
    }
    return { value, fingerprint: stored };
  }

  /** Removes a secret no workflow accepted. */
  async delete(ref: string): Promise<void> {
    await this.db.transaction(LOCK, (tx) => tx.run('DELETE FROM vault_secrets WHERE ref = ?', [ref]));
  }

  /** Re-encrypts every secret written under the previous key with the current one. */
  async rekey(): Promise<number> {
    const currentId = keyId(this.keys.current);
    return this.keyChecked('vault.rekey', undefined, () => this.db.transaction(LOCK, async (tx) => {
      const rows = await tx.all<SecretRow>('SELECT * FROM vault_secrets WHERE key_id != ?', [currentId]);
      for (const row of rows) {
        const value = this.openSecret(row);
        const { iv, ciphertext, tag } = this.encrypt(value, aad(row.setup_id, row.kind, row.version), this.keys.current);
        await tx.run('UPDATE vault_secrets SET key_id = ?, iv = ?, ciphertext = ?, tag = ? WHERE ref = ?', [
          currentId,
          iv,
          ciphertext,
          tag,
          row.ref,
        ]);
      }
      const items = await tx.all<ItemRow>('SELECT * FROM vault_items WHERE key_id != ?', [currentId]);
      for (const row of items) {
        const value = this.decrypt(row, itemAad(row.setup_id, row.id), `Sandbox item ${row.id}`);
        const { iv, ciphertext, tag } = this.encrypt(value, itemAad(row.setup_id, row.id), this.keys.current);
        await tx.run('UPDATE vault_items SET key_id = ?, iv = ?, ciphertext = ?, tag = ? WHERE setup_id = ? AND id = ?', [
          currentId,
          iv,
          ciphertext,
          tag,
          row.setup_id,
          row.id,
        ]);
      }
      return rows.length + items.length;
    }));
  }

  /**
   * Sandbox Items the smoke test created and has not removed yet. Their tokens can read
   * (test) bank data, so they are encrypted like secrets, and kept only until removal.
   */
  itemLedger(): ItemLedger {
    return {
      record: (setupId, entry) => this.recordItem(setupId, entry),
      pending: (setupId) => this.pendingItems(setupId),
      forget: async (setupId, id) => {
        await this.db.transaction(LOCK, (tx) => tx.run('DELETE FROM vault_items WHERE setup_id = ? AND id = ?', [setupId, id]));
      },
    };
  }

  private async recordItem(setupId: string, entry: LedgerEntry): Promise<void> {
    const { iv, ciphertext, tag } = this.encrypt(JSON.stringify(entry), itemAad(setupId, entry.id), this.keys.current);
    await this.db.transaction(LOCK, (tx) =>
      tx.run(
        `INSERT INTO vault_items (setup_id, id, item_id, key_id, iv, ciphertext, tag, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (setup_id, id) DO UPDATE SET item_id = excluded.item_id, key_id = excluded.key_id, iv = excluded.iv,
           ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = excluded.updated_at`,
        [setupId, entry.id, entry.itemId ?? null, keyId(this.keys.current), iv, ciphertext, tag, new Date().toISOString()],
      ),
    );
  }

  private async pendingItems(setupId: string): Promise<LedgerEntry[]> {
    const rows = await this.db.all<ItemRow>('SELECT * FROM vault_items WHERE setup_id = ? ORDER BY updated_at', [setupId]);
    return this.keyChecked('vault.items', setupId, async () =>
      rows.map((row) => JSON.parse(this.decrypt(row, itemAad(row.setup_id, row.id), `Sandbox item ${row.id}`)) as LedgerEntry),
    );
  }

  private openSecret(row: SecretRow): string {
    return this.decrypt(row, aad(row.setup_id, row.kind, row.version), `Secret ${row.ref}`);
  }

  /** Records a refused reveal as a security event (if there is a log), then throws it. */
  private async refuse(setupId: string, err: PlaidSetupError): Promise<never> {
    await this.options.security?.record({ kind: 'denied', action: 'vault.reveal', setupId, detail: `${err.code}: ${err.message}` }).catch(() => undefined);
    throw err;
  }

  /** Runs `work`; a key error it raises is recorded as a security event, then rethrown. */
  private async keyChecked<T>(action: string, setupId: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isPlaidSetupError(err, ERROR_CODES.VAULT_KEY_INVALID) || isPlaidSetupError(err, ERROR_CODES.VAULT_DECRYPT_FAILED)) {
        // The key error is what the caller must see, even if recording it fails.
        await this.options.security
          ?.record({ kind: 'key_error', action, ...(setupId ? { setupId } : {}), detail: `${err.code}: ${err.message}` })
          .catch(() => undefined);
      }
      throw err;
    }
  }

  /** Throws unless the database takes writes now (for /readyz). */
  probe(): Promise<void> {
    return probeWritable(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async row(ref: string): Promise<SecretRow> {
    const parsed = parseRef(ref);
    const row = parsed ? await this.db.get<SecretRow>('SELECT * FROM vault_secrets WHERE ref = ?', [ref]) : undefined;
    if (!row) {
      throw new PlaidSetupError(ERROR_CODES.VAULT_NOT_FOUND, `Secret ${ref} is not in the vault; submit the secret again.`);
    }
    return row;
  }

  private keyFor(id: string): Buffer | undefined {
    if (id === keyId(this.keys.current)) return this.keys.current;
    if (this.keys.previous && id === keyId(this.keys.previous)) return this.keys.previous;
    return undefined;
  }

  private decrypt(row: Pick<SecretRow, 'key_id' | 'iv' | 'ciphertext' | 'tag'>, associated: Buffer, what: string): string {
    const key = this.keyFor(row.key_id);
    if (!key) {
      throw new PlaidSetupError(
        ERROR_CODES.VAULT_KEY_INVALID,
        `${what} was encrypted with a key that is neither PLAID_SETUP_MASTER_KEY nor PLAID_SETUP_PREVIOUS_MASTER_KEY; set the key it was written with.`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
      decipher.setAAD(associated);
      decipher.setAuthTag(row.tag);
      return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new PlaidSetupError(
        ERROR_CODES.VAULT_DECRYPT_FAILED,
        `${what} failed its integrity check: the vault row was altered or corrupted. Submit the secret again.`,
      );
    }
  }

  private encrypt(value: string, associated: Buffer, key: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(associated);
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }
}
