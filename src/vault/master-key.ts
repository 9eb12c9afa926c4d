/**
 * Where the vault's key comes from: PLAID_SETUP_MASTER_KEY, or in development a key
 * generated once into the data dir (mode 0600), with a warning.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import type { Logger } from '../logger';
import type { VaultKeys } from './vault';

export const DEV_KEY_FILE = 'master.key';

export function resolveVaultKeys(config: Config, logger: Logger): VaultKeys {
  const previous = config.previousMasterKey ? { previous: config.previousMasterKey } : {};
  if (config.masterKey) return { current: config.masterKey, ...previous };
  if (config.nodeEnv === 'production') {
    throw new PlaidSetupError(
      ERROR_CODES.VAULT_KEY_MISSING,
      'PLAID_SETUP_MASTER_KEY is required when NODE_ENV=production (32 bytes, base64: `openssl rand -base64 32`).',
    );
  }
  const file = path.join(config.dataDir, DEV_KEY_FILE);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx' creates the file only if absent, so two processes starting together agree on one key.
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    logger.warn(`No PLAID_SETUP_MASTER_KEY set: generated a development key in ${file}. Set PLAID_SETUP_MASTER_KEY outside development.`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new PlaidSetupError(ERROR_CODES.VAULT_KEY_INVALID, `${file} does not hold a 32-byte base64 key; remove it or set PLAID_SETUP_MASTER_KEY.`);
  }
  return { current: key, ...previous };
}
