/**
 * Assembles what the worker needs from configuration: the vault, the Plaid client factory,
 * the Sandbox item ledger and the notifier, wired into the activities.
 */
import path from 'node:path';
import { createActivities } from './activities';
import { chainKeys } from './audit/log-anchor';
import { SqliteSecurityLog, type SecurityLog } from './audit/security-log';
import type { SetupActivities } from './activities/contract';
import { createLogNotifier, type Notifier } from './activities/notifier';
import type { Config } from './config';
import type { Logger } from './logger';
import { createPlaidClientFactory } from './plaid/client';
import { resolveVaultKeys } from './vault/master-key';
import { Vault } from './vault/vault';

export const VAULT_FILE = 'vault.sqlite';
/** Security events (denials, refused and forged requests), beside the vault; its anchor (security.anchor) beside it. */
export const SECURITY_LOG_FILE = 'security.sqlite';

/** The security log, its chain keyed from the master key (so, like the vault, it needs PLAID_SETUP_MASTER_KEY in production). */
export function openSecurityLog(config: Config, logger: Logger): Promise<SqliteSecurityLog> {
  return SqliteSecurityLog.open(path.join(config.dataDir, SECURITY_LOG_FILE), chainKeys(resolveVaultKeys(config, logger)));
}

/** The vault; its key errors go to `security` when given. */
export function openVault(config: Config, logger: Logger, security?: SecurityLog): Promise<Vault> {
  return Vault.open(path.join(config.dataDir, VAULT_FILE), resolveVaultKeys(config, logger), security ? { security } : {});
}

export function buildActivities(
  config: Config,
  logger: Logger,
  vault: Vault,
  notifier: Notifier = createLogNotifier(logger),
): SetupActivities {
  return createActivities({
    plaid: createPlaidClientFactory(vault, config.plaid),
    items: vault.itemLedger(),
    notifier,
    logger,
  });
}
