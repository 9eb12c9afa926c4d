/**
 * What every CLI command shares: configuration, a logger, who is acting, and lazily
 * opened connections that are closed when the command ends.
 */
import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { loadConfig, setupOptionsFor, type Config } from '../config';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { createLogger, logFormatFor, type ProcessLogger } from '../logger';
import type { DatabaseSecurityLog } from '../audit/security-log';
import { openSecurityLog, openVault } from '../services';
import { ActorSchema, check, type Actor } from '../shared/schemas';
import { connectClient } from '../temporal/connection';
import { SetupClient } from '../temporal/client/setups';
import { resolveAssertionKeys } from '../vault/master-key';
import type { Vault } from '../vault/vault';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface CliLimits {
  /** How long an action or a read waits for the workflow's answer (then: no worker answered). */
  updateTimeoutMs: number;
}

export class CliContext {
  readonly config: Config;
  readonly logger: ProcessLogger;
  private client?: Client;
  private vault?: Vault;
  private security?: DatabaseSecurityLog;
  private setupClient?: SetupClient;

  constructor(
    readonly io: Io,
    private readonly limits?: CliLimits,
  ) {
    this.config = loadConfig(io.env);
    this.logger = createLogger(this.config.logLevel, io.stderr, logFormatFor(this.config.nodeEnv));
  }

  async temporal(): Promise<Client> {
    this.client ??= await connectClient(this.config);
    return this.client;
  }

  async openVault(): Promise<Vault> {
    this.vault ??= await openVault(this.config, this.logger, await this.securityLog());
    return this.vault;
  }

  /** The setups through Temporal; refusals go to the security log. */
  async setups(): Promise<SetupClient> {
    this.setupClient ??= new SetupClient(await this.temporal(), this.config.temporal.taskQueue, setupOptionsFor(this.config), {
      command: 'plaid-setup',
      security: await this.securityLog(),
      assertionKey: resolveAssertionKeys(this.config, this.logger).current,
      ...(this.limits ? { updateTimeoutMs: this.limits.updateTimeoutMs } : {}),
    });
    return this.setupClient;
  }

  async securityLog(): Promise<DatabaseSecurityLog> {
    this.security ??= await openSecurityLog(this.config, this.logger);
    return this.security;
  }

  /**
   * The person acting: --as, else PLAID_SETUP_ACTOR, else the login name. Their roles are
   * the worker's to decide (the CLI signs who acts with PLAID_SETUP_ASSERTION_KEY).
   */
  actor(as: string | undefined): Actor {
    const id = as ?? this.config.actor ?? userInfo().username;
    const parsed = check(ActorSchema, { id, displayName: id, source: 'cli' });
    if (!parsed.ok) throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `Invalid --as: ${parsed.message}.`);
    return parsed.value;
  }

  async close(): Promise<void> {
    await this.client?.connection.close();
    await this.vault?.close();
    await this.security?.close();
  }
}
