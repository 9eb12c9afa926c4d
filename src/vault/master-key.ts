/**
 * Where the keys come from: the vault's master key (PLAID_SETUP_MASTER_KEY) and the actor
 * assertion key (PLAID_SETUP_ASSERTION_KEY), or in development keys generated once into
 * the data dir (mode 0600), with a warning.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { ERROR_CODES, PlaidSetupError, type ErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { VaultKeys } from './vault';

export const DEV_KEY_FILE = 'master.key';
export const DEV_ASSERTION_KEY_FILE = 'assertion.key';

/** A current key and, while rotating, the one before it. */
export interface KeyPair {
  current: Buffer;
  previous?: Buffer;
}

function resolveKey(config: Config, logger: Logger, key: { value?: Buffer; previous?: Buffer; variable: string; file: string; code: ErrorCode }): KeyPair {
  const previous = key.previous ? { previous: key.previous } : {};
  if (key.value) return { current: key.value, ...previous };
  if (config.nodeEnv === 'production') {
    throw new PlaidSetupError(key.code, `${key.variable} is required when NODE_ENV=production (32 bytes, base64: \`openssl rand -base64 32\`).`);
  }
  const file = path.join(config.dataDir, key.file);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx' creates the file only if absent, so two processes starting together agree on one key.
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    logger.warn(`No ${key.variable} set: generated a development key in ${file}. Set ${key.variable} outside development.`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const bytes = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (bytes.length !== 32) {
    throw new PlaidSetupError(ERROR_CODES.VAULT_KEY_INVALID, `${file} does not hold a 32-byte base64 key; remove it or set ${key.variable}.`);
  }
  return { current: bytes, ...previous };
}

export function resolveVaultKeys(config: Config, logger: Logger): VaultKeys {
  return resolveKey(config, logger, {
    value: config.masterKey,
    previous: config.previousMasterKey,
    variable: 'PLAID_SETUP_MASTER_KEY',
    file: DEV_KEY_FILE,
    code: ERROR_CODES.VAULT_KEY_MISSING,
  });
}

/** The key the bot and the CLI sign actor assertions with, and the worker verifies them with. */
export function resolveAssertionKeys(config: Config, logger: Logger): KeyPair {
  return resolveKey(config, logger, {
    value: config.assertionKey,
    previous: config.previousAssertionKey,
    variable: 'PLAID_SETUP_ASSERTION_KEY',
    file: DEV_ASSERTION_KEY_FILE,
    code: ERROR_CODES.ASSERTION_KEY_MISSING,
  });
}
