/**
 * Assembles what the worker needs from configuration: the vault, the Plaid client factory,
 * the Sandbox item ledger and the notifier, wired into the activities.
 */
import { CodatClient } from './codat/client';
import path from 'node:path';
import { createActivities } from './activities';
import { ReplayStore } from './bot/replay-store';
import { SecretLinkStore } from './secret-links/store';
import type { StorageTarget } from './storage/database';
import { chainKeys } from './audit/log-anchor';
import { DatabaseSecurityLog, type SecurityLog } from './audit/security-log';
import type { SetupActivities } from './activities/contract';
import { createLogNotifier, type Notifier } from './activities/notifier';
import type { Config } from './config';
import type { Logger } from './logger';
import { createPlaidClientFactory } from './plaid/client';
import { resolveVaultKeys } from './vault/master-key';
import { Vault, type SecretOwner } from './vault/vault';
import type { SecretRef } from './shared/schemas';

export const VAULT_FILE = 'vault.sqlite';
/** Security events (denials, refused and forged requests), beside the vault; its anchor (security.anchor) beside it. */
export const SECURITY_LOG_FILE = 'security.sqlite';
/** The Slack requests the bot accepted in the last five minutes. */
export const REPLAY_FILE = 'slack-replays.sqlite';
/** The one-time links to the secret form (hashes only), kept a day after they end. */
export const SECRET_LINKS_FILE = 'secret-links.sqlite';

/** The shared PostgreSQL database when PLAID_SETUP_DATABASE_URL is set, else the store's own SQLite file in the data folder. */
export function storageFor(config: Config, file: string): StorageTarget {
  return config.databaseUrl ? { engine: 'postgres', url: config.databaseUrl } : { engine: 'sqlite', file: path.join(config.dataDir, file) };
}

/** The security log, its chain keyed from the master key (so, like the vault, it needs PLAID_SETUP_MASTER_KEY in production). */
export function openSecurityLog(config: Config, logger: Logger): Promise<DatabaseSecurityLog> {
  return DatabaseSecurityLog.open(storageFor(config, SECURITY_LOG_FILE), chainKeys(resolveVaultKeys(config, logger)));
}

/** The vault; its key errors go to `security` when given. */
export function openVault(config: Config, logger: Logger, security?: SecurityLog): Promise<Vault> {
  return Vault.open(storageFor(config, VAULT_FILE), resolveVaultKeys(config, logger), security ? { security } : {});
}

export function openReplayStore(config: Config): Promise<ReplayStore> {
  return ReplayStore.open(storageFor(config, REPLAY_FILE));
}

export function openSecretLinkStore(config: Config): Promise<SecretLinkStore> {
  return SecretLinkStore.open(storageFor(config, SECRET_LINKS_FILE));
}

export function buildActivities(
  config: Config,
  logger: Logger,
  vault: Vault,
  notifier: Notifier = createLogNotifier(logger),
  enabledSetups?: () => Promise<string[]>,
): SetupActivities {
  return createActivities({
    ...(enabledSetups ? { enabledSetups } : {}),
    plaid: createPlaidClientFactory(vault, config.plaid),
    ...(config.codat ? { codat: new CodatClient({ apiKey: config.codat.apiKey, ...(config.codat.apiUrl ? { baseUrl: config.codat.apiUrl } : {}) }) } : {}),
    ...(config.codat?.writeCredentials ? { codatWrite: { reveal: (secret: SecretRef, owner: SecretOwner) => vault.reveal(secret, owner) } } : {}),
    items: vault.itemLedger(),
    notifier,
    logger,
  });
}
