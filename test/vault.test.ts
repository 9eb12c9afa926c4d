/**
 * The vault on a real SQLite file: round trip, tampering, wrong and rotated keys, the
 * development key file, and two processes' connections writing at once.
 */
import { randomBytes } from 'node:crypto';
import * as valibot from 'valibot';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { loadConfig } from '../src/config';
import { isPlaidSetupError } from '../src/errors';
import { createLogger } from '../src/logger';
import { SecretValueSchema, type SecretKind, type SecretRef, type SecretValue } from '../src/shared/schemas';
import { SqliteDatabase } from '../src/storage/sqlite';
import { resolveVaultKeys } from '../src/vault/master-key';
import { Vault, fingerprint } from '../src/vault/vault';

const secret = (): SecretValue => valibot.parse(SecretValueSchema, randomBytes(15).toString('hex'));
const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'vault-test-')), 'vault.sqlite');

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPlaidSetupError(err)).toBe(true);
  expect((err as Error & { code: string }).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

/** Reveals a secret as its own setup and kind would (the owner is read off the reference). */
async function revealOwn(vault: Vault, ref: SecretRef | string): Promise<string> {
  const secret = typeof ref === 'string' ? { ref, fingerprint: 'sha256:000000000000' } : ref;
  const [, setupId, kind] = /^vault:([^/]+)\/([^/]+)\//.exec(secret.ref) ?? [];
  return (await vault.reveal(secret, { setupId: setupId ?? '', kind: kind as SecretKind })).value;
}

test('a secret round-trips; the ref and fingerprint do not reveal it; versions count up', async () => {
  const file = tempFile();
  const vault = await Vault.open(file, { current: randomBytes(32) });
  const value = secret();
  const ref = await vault.put('acme', 'sandbox', value);
  expect(ref).toEqual({ ref: 'vault:acme/sandbox/v1', fingerprint: fingerprint(value) });
  expect(ref.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
  expect(JSON.stringify(ref)).not.toContain(value);
  expect(await revealOwn(vault, ref)).toBe(value);
  expect((await vault.put('acme', 'sandbox', secret())).ref).toBe('vault:acme/sandbox/v2');
  expect((await vault.put('acme', 'production', secret())).ref).toBe('vault:acme/production/v1');
  await vault.close();
  // At rest, the file holds no plaintext.
  expect(readFileSync(file).includes(Buffer.from(value))).toBe(false);
});

test('a tampered ciphertext, tag or binding is a clear error, never garbage', async () => {
  const file = tempFile();
  const vault = await Vault.open(file, { current: randomBytes(32) });
  const a = await vault.put('acme', 'sandbox', secret());
  const b = await vault.put('other', 'sandbox', secret());
  const db = await SqliteDatabase.open(file);
  await db.run("UPDATE vault_secrets SET ciphertext = randomblob(length(ciphertext)) WHERE ref = ?", [a.ref]);
  await expectCode(revealOwn(vault, a), 'VAULT_DECRYPT_FAILED', /failed its integrity check.*Submit the secret again/);

  // A row moved to another setup does not open: associated data binds setup, kind and version.
  const c = await vault.put('acme', 'production', secret());
  await db.run(
    `UPDATE vault_secrets SET iv = (SELECT iv FROM vault_secrets WHERE ref = ?), ciphertext = (SELECT ciphertext FROM vault_secrets WHERE ref = ?),
       tag = (SELECT tag FROM vault_secrets WHERE ref = ?) WHERE ref = ?`,
    [b.ref, b.ref, b.ref, c.ref],
  );
  await expectCode(revealOwn(vault, c), 'VAULT_DECRYPT_FAILED', /integrity check/);
  await expectCode(revealOwn(vault, 'vault:acme/sandbox/v99'), 'VAULT_NOT_FOUND', /not in the vault/);
  await db.close();
  await vault.close();
});

test('a wrong key is refused by name; the previous key opens old secrets until rekey', async () => {
  const file = tempFile();
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const value = secret();
  const writer = await Vault.open(file, { current: oldKey });
  const ref = await writer.put('acme', 'sandbox', value);
  await writer.close();

  const wrong = await Vault.open(file, { current: newKey });
  await expectCode(revealOwn(wrong, ref), 'VAULT_KEY_INVALID', /neither PLAID_SETUP_MASTER_KEY nor PLAID_SETUP_PREVIOUS_MASTER_KEY/);
  await wrong.close();

  const rotating = await Vault.open(file, { current: newKey, previous: oldKey });
  expect(await revealOwn(rotating, ref)).toBe(value);
  expect(await rotating.rekey()).toBe(1);
  expect(await rotating.rekey()).toBe(0);
  await rotating.close();

  const after = await Vault.open(file, { current: newKey });
  expect(await revealOwn(after, ref)).toBe(value);
  await after.close();
});

test('key errors are security events: a wrong key, an altered row, a rekey that cannot open a row', async () => {
  const file = tempFile();
  const security = await DatabaseSecurityLog.open(path.join(path.dirname(file), 'security.sqlite'), chainKeys({ current: randomBytes(32) }));
  const oldKey = randomBytes(32);
  const value = secret();
  const writer = await Vault.open(file, { current: oldKey }, { security });
  const ref = await writer.put('acme', 'sandbox', value);
  await writer.itemLedger().record('acme', { id: 'item-1', token: { kind: 'public', value: `public-sandbox-${value}` } });
  await writer.close();

  const wrong = await Vault.open(file, { current: randomBytes(32) }, { security });
  await expectCode(revealOwn(wrong, ref), 'VAULT_KEY_INVALID', /neither/);
  await expectCode(wrong.rekey(), 'VAULT_KEY_INVALID', /neither/);
  await expectCode(wrong.itemLedger().pending('acme'), 'VAULT_KEY_INVALID', /neither/);
  await wrong.close();

  const db = await SqliteDatabase.open(file);
  await db.run('UPDATE vault_secrets SET tag = randomblob(16) WHERE ref = ?', [ref.ref]);
  await db.close();
  const right = await Vault.open(file, { current: oldKey }, { security });
  await expectCode(revealOwn(right, ref), 'VAULT_DECRYPT_FAILED', /integrity check/);
  await right.close();

  const events = await security.list();
  expect(events.map((e) => [e.kind, e.action, e.setupId ?? '', e.detail.split(':')[0]])).toEqual([
    ['key_error', 'vault.reveal', 'acme', 'VAULT_KEY_INVALID'],
    ['key_error', 'vault.rekey', '', 'VAULT_KEY_INVALID'],
    ['key_error', 'vault.items', 'acme', 'VAULT_KEY_INVALID'],
    ['key_error', 'vault.reveal', 'acme', 'VAULT_DECRYPT_FAILED'],
  ]);
  expect(JSON.stringify(events)).not.toContain(value);
  expect(await security.verify()).toMatchObject({ ok: true, rows: 4 });
  await security.close();
});

test("a reference is opened only for its own setup and kind, with its own fingerprint; refusals are recorded", async () => {
  const file = tempFile();
  const security = await DatabaseSecurityLog.open(path.join(path.dirname(file), 'security.sqlite'), chainKeys({ current: randomBytes(32) }));
  const vault = await Vault.open(file, { current: randomBytes(32) }, { security });
  const value = secret();
  const bravo = await vault.put('bravo', 'production', value);
  const development = await vault.put('alpha', 'development', secret());

  expect(await vault.reveal(bravo, { setupId: 'bravo', kind: 'production' })).toEqual({ value, fingerprint: fingerprint(value) });
  await expectCode(vault.reveal(bravo, { setupId: 'alpha', kind: 'production' }), 'SECRET_REF_MISMATCH', /is setup bravo's production secret, not its production secret for setup alpha/);
  await expectCode(vault.reveal(bravo, { setupId: 'bravo', kind: 'sandbox' }), 'SECRET_REF_MISMATCH', /bravo's production secret, not its sandbox secret/);
  await expectCode(vault.reveal(development, { setupId: 'alpha', kind: 'sandbox' }), 'SECRET_REF_MISMATCH', /alpha's development secret/);
  // A fingerprint the caller made up is not passed on as the secret's.
  await expectCode(vault.reveal({ ref: bravo.ref, fingerprint: 'sha256:0123456789ab' }, { setupId: 'bravo', kind: 'production' }), 'SECRET_FINGERPRINT_MISMATCH', /does not have the fingerprint sha256:0123456789ab/);

  const events = await security.list();
  expect(events.map((e) => [e.kind, e.action, e.setupId, e.detail.split(':')[0]])).toEqual([
    ['denied', 'vault.reveal', 'alpha', 'SECRET_REF_MISMATCH'],
    ['denied', 'vault.reveal', 'bravo', 'SECRET_REF_MISMATCH'],
    ['denied', 'vault.reveal', 'alpha', 'SECRET_REF_MISMATCH'],
    ['denied', 'vault.reveal', 'bravo', 'SECRET_FINGERPRINT_MISMATCH'],
  ]);
  expect(JSON.stringify(events)).not.toContain(value);
  await vault.close();
  await security.close();
});

test('two connections (bot and worker) writing at once get distinct versions', async () => {
  const file = tempFile();
  const key = randomBytes(32);
  const [one, two] = await Promise.all([Vault.open(file, { current: key }), Vault.open(file, { current: key })]);
  const refs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).put('acme', 'sandbox', secret())));
  expect(new Set(refs.map((r) => r.ref)).size).toBe(20);
  for (const r of refs) expect(await revealOwn(one, r)).toMatch(/^[0-9a-f]{30}$/);
  await one.close();
  await two.close();
});

test('development generates a 0600 key file once; production refuses to start without a key', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vault-key-'));
  const lines: string[] = [];
  const logger = createLogger('info', (l) => lines.push(l));
  const config = loadConfig({ PLAID_SETUP_DATA_DIR: dataDir });
  const first = resolveVaultKeys(config, logger);
  const second = resolveVaultKeys(config, logger);
  expect(first.current.equals(second.current)).toBe(true);
  expect(statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/No PLAID_SETUP_MASTER_KEY set: generated a development key/);
  expect(lines.join('')).not.toContain(first.current.toString('base64'));

  expect(() => loadConfig({ NODE_ENV: 'production', PLAID_SETUP_OPERATORS: 'U1' })).toThrow(/PLAID_SETUP_MASTER_KEY: required in production/);
  const key = randomBytes(32).toString('base64');
  const prod = loadConfig({ NODE_ENV: 'production', PLAID_SETUP_OPERATORS: 'U1', PLAID_SETUP_MASTER_KEY: key, PLAID_SETUP_ASSERTION_KEY: key, PLAID_SETUP_DATA_DIR: dataDir });
  expect(resolveVaultKeys(prod, logger).current.toString('base64')).toBe(key);
});

test('the Sandbox item ledger keeps tokens encrypted until the item is forgotten, and rekey covers it', async () => {
  const file = tempFile();
  const oldKey = randomBytes(32);
  const vault = await Vault.open(file, { current: oldKey });
  const ledger = vault.itemLedger();
  const token = `access-sandbox-${randomBytes(16).toString('hex')}`;
  await ledger.record('acme', { id: 'one', token: { kind: 'public', value: 'public-sandbox-x' } });
  await ledger.record('acme', { id: 'one', token: { kind: 'access', value: token }, itemId: 'item-1' });
  await ledger.record('other', { id: 'two', token: { kind: 'public', value: 'public-sandbox-y' } });
  expect(await ledger.pending('acme')).toEqual([{ id: 'one', token: { kind: 'access', value: token }, itemId: 'item-1' }]);
  await vault.close();
  expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);

  const rekeyed = await Vault.open(file, { current: randomBytes(32), previous: oldKey });
  expect(await rekeyed.rekey()).toBe(2);
  await rekeyed.itemLedger().forget('acme', 'one');
  expect(await rekeyed.itemLedger().pending('acme')).toEqual([]);
  expect(await rekeyed.itemLedger().pending('other')).toHaveLength(1);
  await rekeyed.close();
});
