/**
 * `plaid-setup dev`, `plaid-setup worker` and `plaid-setup bot`: the long-running processes.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { SLASH_COMMAND } from '../slack/ids';
import type { ReplayStore } from '../bot/replay-store';
import { startBot, type RunningBot } from '../bot/server';
import { loadConfig, rolesOf, setupOptionsFor, slackMissing, type Config } from '../config';
import { auditSource } from '../audit/export';
import { ERROR_CODES, PlaidSetupError, isPlaidSetupError } from '../errors';
import { countSetupsWith } from '../ops/metrics';
import { startOpsServer, type Probe } from '../ops/server';
import { ensurePortFree, freePort, portInUse } from '../http/listen';
import type { ProcessLogger } from '../logger';
import { basePathFor } from '../plaid/client';
import { buildActivities, openReplayStore, openSecretLinkStore } from '../services';
import type { SecretLinkStore } from '../secret-links/store';
import { createActivityWebClient } from '../slack/client';
import { RoleDirectory } from '../slack/directory';
import { createSlackNotifier } from '../slack/notifier';
import { enabledSetupIds, ensureDriftSchedule } from '../temporal/client/drift-schedule';
import { SetupClient } from '../temporal/client/setups';
import { searchAttributes } from '../shared/messages';
import { TEMPORAL_CLI, missingBinaryError, provisionBinary } from '../temporal/provisioning/binaries';
import { startCodecServer, type RunningCodecServer } from '../temporal/codec/server';
import { connectWorker } from '../temporal/connection';
import { dataConverterFor, payloadCodecsFor } from '../temporal/codec/data-converter';
import { ensureSearchAttributes } from '../temporal/provisioning/search-attributes';
import { createSetupWorker } from '../temporal/worker/worker';
import { accessPolicyFor } from '../temporal/worker/policy';
import { resolveAssertionKeys } from '../vault/master-key';
import type { CliContext } from './context';

export const DEV_DB_FILE = 'temporal.sqlite';

/** Which parts a process runs: `dev` both, `worker` and `bot` one each. */
export interface ProcessRoles {
  worker: boolean;
  bot: boolean;
}

/**
 * Runs the worker and/or the Slack bot, with /healthz, /readyz and /metrics on PORT, until
 * SIGINT or SIGTERM. Shutdown is graceful: readiness turns 503 at once, the bot stops
 * accepting requests, the worker stops polling and lets running activities finish (up to
 * its shutdown grace time), then the stores close.
 */
async function runProcess(
  ctx: CliContext,
  config: Config,
  temporal: { connection?: NativeConnection; client: Client },
  roles: ProcessRoles,
  codecPort: number,
  sdkMetricsUrl: string | undefined,
): Promise<void> {
  const { logger } = ctx;
  const { client } = temporal;
  const missing = slackMissing(config.slack);
  if (roles.bot && !roles.worker && missing.length > 0) {
    throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, `plaid-setup bot needs Slack: set ${missing.join(' and ')}.`);
  }
  const vault = await ctx.openVault();
  const security = await ctx.securityLog();
  const assertionKeys = resolveAssertionKeys(config, logger);
  ctx.io.stdout(`${rolesLine(config)}\n`);
  const web = missing.length === 0 ? createActivityWebClient(config.slack) : undefined;
  const directory = web ? new RoleDirectory(web, config) : undefined;

  let draining = false;
  const probes: Probe[] = [
    { name: 'temporal', check: () => client.workflowService.getSystemInfo({}).then(() => undefined) },
    { name: 'vault', check: () => vault.probe() },
    { name: 'security_log', check: () => security.probe() },
  ];
  const setups = new SetupClient(
    client,
    config.temporal.taskQueue,
    setupOptionsFor(config),
    { command: SLASH_COMMAND, security, assertionKey: assertionKeys.current },
  );
  countSetupsWith(() => setups.countByStep());

  let worker: Worker | undefined;
  if (roles.worker) {
    if (!temporal.connection) throw new Error('a worker needs a native connection');
    const notifier =
      web && directory
        ? createSlackNotifier({
            client: web,
            directory,
            logger,
            ...(config.slack.approvalsChannel ? { approvalsChannel: config.slack.approvalsChannel } : {}),
            ...(config.escalation ? { escalationApprovers: config.escalation.approvers } : {}),
          })
        : undefined;
    const running = await createSetupWorker({
      connection: temporal.connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: buildActivities(config, logger, vault, notifier, () => enabledSetupIds(client, config.temporal.taskQueue)),
      dataConverter: dataConverterFor(config),
      policy: accessPolicyFor(config, assertionKeys),
      workflowCacheSize: config.temporal.workflowCacheSize,
    });
    worker = running;
    await ensureDriftSchedule(client, config.temporal.taskQueue, config.driftIntervalMs);
    probes.push({
      name: 'worker',
      check: async () => {
        const state = running.getState();
        if (state !== 'RUNNING') throw new Error(`worker is ${state.toLowerCase()}`);
      },
    });
  }

  const ops = { probes, ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}), draining: () => draining };
  let bot: RunningBot | undefined;
  let replays: ReplayStore | undefined;
  let linkStore: SecretLinkStore | undefined;
  if (roles.bot && directory) {
    replays = await openReplayStore(config);
    const store = replays;
    probes.push({ name: 'replay_store', check: () => store.probe() });
    if (config.slack.secretEntry === 'link') {
      const store = await openSecretLinkStore(config);
      linkStore = store;
      probes.push({ name: 'secret_links', check: () => store.probe() });
    }
    bot = await startBot(
      config.slack,
      { setups, audit: auditSource(client, security), vault, directory, security, logger, replays, ...(linkStore ? { linkStore } : {}) },
      { ops },
    );
    ctx.io.stdout(bot.mode === 'socket' ? 'Slack bot: connected with Socket Mode.\n' : `Slack bot: listening on ${bot.url}\n`);
    if (linkStore) ctx.io.stdout(`Secrets: entered through one-time links to ${config.slack.publicUrl ?? bot.origin}/secrets/…, never in Slack.\n`);
  } else if (roles.bot) {
    ctx.io.stdout(`Slack bot: not started; set ${missing.join(' and ')}. The CLI works without it (plaid-setup --help).\n`);
  }
  // The bot's HTTP server serves the ops routes itself; otherwise they get a server of their own.
  const opsServer = bot ? undefined : await startOpsServer(config.slack.port, '0.0.0.0', ops);
  const opsUrl = opsServer?.url ?? (bot as RunningBot).origin;
  ctx.io.stdout(`Health: ${opsUrl}/healthz, /readyz and /metrics\n`);
  const codec = roles.worker && config.payloadKeys ? await startCodec(ctx, config, config.payloadKeys.current, codecPort) : undefined;

  const stopped = untilSignal(() => {
    draining = true;
    logger.info('Shutting down: not ready; the bot stops accepting, running activities finish');
  });
  try {
    if (worker) {
      ctx.io.stdout(`Worker polling task queue "${config.temporal.taskQueue}". Press Ctrl-C to stop.\n`);
      // The SDK's runtime shuts the worker down on SIGINT and SIGTERM; run() returns once its activities are done.
      await worker.run();
    } else {
      ctx.io.stdout('Press Ctrl-C to stop.\n');
      await stopped.signalled;
    }
  } finally {
    draining = true;
    stopped.dispose();
    countSetupsWith(undefined);
    await bot?.stop();
    await replays?.close();
    await linkStore?.close();
    await codec?.close();
    await opsServer?.close();
  }
  logger.info(worker ? 'Worker stopped' : 'Bot stopped');
}

/** Resolves on the first SIGINT or SIGTERM, after `onSignal`; dispose removes the handlers. */
function untilSignal(onSignal: () => void): { signalled: Promise<void>; dispose(): void } {
  let handler: (() => void) | undefined;
  const signalled = new Promise<void>((resolve) => {
    handler = () => {
      onSignal();
      resolve();
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
  return {
    signalled,
    dispose: () => {
      if (!handler) return;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The codec endpoint beside the worker, when payloads are encrypted. */
async function startCodec(ctx: CliContext, config: Config, tokenKey: Buffer, port: number): Promise<RunningCodecServer> {
  const { logger } = ctx;
  const server = await startCodecServer({
    codecs: payloadCodecsFor(config),
    tokenKey,
    rolesOf: (id) => rolesOf(config, id),
    origins: config.codec.origins,
    security: await ctx.securityLog(),
    logger,
    port,
  });
  ctx.io.stdout(`Codec endpoint: ${server.url} (for the Temporal Web UI and \`temporal --codec-endpoint\`; allowed origins ${config.codec.origins.join(', ')})\n`);
  return server;
}

/** Says who holds roles, so nobody runs open roles without knowing. */
function rolesLine(config: Config): string {
  if (config.rolesOpen) {
    return 'Roles: open for local use (everyone holds every role; four eyes still applies). Set PLAID_SETUP_OPERATORS, PLAID_SETUP_APPROVERS and PLAID_SETUP_AUDITORS to restrict.';
  }
  const count = (list: string[]) => `${list.length} ${list.length === 1 ? 'entry' : 'entries'}`;
  return `Roles: operators ${count(config.roles.operator)}, approvers ${count(config.roles.approver)}, auditors ${count(config.roles.auditor)}.`;
}

/**
 * The configuration with open roles when the operator asked for them on the command line
 * (`npm start` does) and nothing says otherwise: no role lists and no Slack bot. Otherwise
 * the flag changes nothing, and the roles line says what holds.
 */
function withOpenRoles(ctx: CliContext, openRoles: boolean): Config {
  const { roles, slack } = ctx.config;
  const listed = roles.operator.length + roles.approver.length + roles.auditor.length > 0;
  return openRoles && !listed && !slack.botToken ? loadConfig({ ...ctx.io.env, PLAID_SETUP_OPEN_ROLES: 'true' }) : ctx.config;
}

/**
 * The Temporal SDK's logs (the worker's, the workflow bundler's webpack report, and the
 * native core's, which would otherwise print to the console in a format of its own) go
 * through our logger, so they share its format and redaction; its metrics go to a
 * Prometheus exporter on a loopback port, which /metrics serves on. The runtime is
 * installed once per process and before anything creates it (a NativeConnection, a
 * Worker, the dev server); a runtime someone installed before (the tests do) is kept,
 * and then there are no SDK metrics to serve.
 */
async function installSdkRuntime(logger: ProcessLogger): Promise<string | undefined> {
  if (Runtime._instance && Runtime.instantiator === 'install') return undefined;
  const port = await freePort();
  Runtime.install({
    logger: logger.temporal,
    telemetryOptions: { logging: { forward: {} }, metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } },
  });
  return `http://127.0.0.1:${port}/metrics`;
}

export async function workerCommand(ctx: CliContext, options: { openRoles?: boolean } = {}): Promise<number> {
  const sdkMetricsUrl = await installSdkRuntime(ctx.logger);
  return onCluster(ctx, options, { worker: true, bot: false }, sdkMetricsUrl);
}

/** The bot alone: it needs Temporal's client only, no worker. */
export async function botCommand(ctx: CliContext, options: { openRoles?: boolean } = {}): Promise<number> {
  const sdkMetricsUrl = await installSdkRuntime(ctx.logger);
  return onCluster(ctx, options, { worker: false, bot: true }, sdkMetricsUrl);
}

async function onCluster(ctx: CliContext, options: { openRoles?: boolean }, roles: ProcessRoles, sdkMetricsUrl: string | undefined): Promise<number> {
  const config = withOpenRoles(ctx, options.openRoles ?? false);
  const client = await ctx.temporal();
  await ensureSearchAttributes(client, config.temporal.namespace, ctx.logger);
  const connection = roles.worker ? await connectWorker(config) : undefined;
  try {
    await runProcess(ctx, config, { client, ...(connection ? { connection } : {}) }, roles, config.codec.port, sdkMetricsUrl);
  } finally {
    await connection?.close();
  }
  return 0;
}

export async function devCommand(ctx: CliContext, options: { openRoles?: boolean } = {}): Promise<number> {
  const { logger, io } = ctx;
  const sdkMetricsUrl = await installSdkRuntime(logger);
  const config = withOpenRoles(ctx, options.openRoles ?? false);
  const roles = { worker: true, bot: true };
  if (config.temporal.address) {
    io.stdout(`Using the Temporal cluster at ${config.temporal.address} (namespace ${config.temporal.namespace}).\n`);
    return onCluster(ctx, options, roles, sdkMetricsUrl);
  }
  await ensurePortFree(config.temporal.devPort, '127.0.0.1', portInUse('the Temporal dev server', 'TEMPORAL_DEV_PORT, or TEMPORAL_ADDRESS to use a server that is already running'));
  await ensurePortFree(config.temporal.devUiPort, '127.0.0.1', portInUse('the Temporal Web UI', 'TEMPORAL_DEV_UI_PORT'));
  const provisioned = provisionBinary(TEMPORAL_CLI, { env: io.env, logger });
  mkdirSync(config.dataDir, { recursive: true });
  const dbFilename = path.join(config.dataDir, DEV_DB_FILE);
  // The codec endpoint must be known before the server starts, so its Web UI can be told.
  const codecPort = config.payloadKeys ? await freePort(config.codec.port) : config.codec.port;
  const codecUrl = config.payloadKeys ? `http://127.0.0.1:${codecPort}` : undefined;
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      client: { dataConverter: dataConverterFor(config) },
      server: {
        executable: provisioned.executable,
        ip: '127.0.0.1',
        port: config.temporal.devPort,
        ui: true,
        uiPort: config.temporal.devUiPort,
        dbFilename,
        namespace: config.temporal.namespace,
        searchAttributes: Object.values(searchAttributes),
        log: { level: 'warn', format: 'pretty' },
        ...(codecUrl ? { extraArgs: ['--ui-codec-endpoint', codecUrl] } : {}),
      },
    });
  } catch (err) {
    if (provisioned.executable.type === 'cached-download') throw missingBinaryError(TEMPORAL_CLI, undefined, err);
    throw err;
  }
  io.stdout(
    [
      `Temporal dev server: 127.0.0.1:${config.temporal.devPort} (namespace ${config.temporal.namespace}; state in ${dbFilename})`,
      `Temporal CLI: ${provisioned.executable.type === 'existing-path' ? provisioned.executable.path : 'SDK download'} (${provisioned.source})`,
      `Temporal Web UI: http://127.0.0.1:${config.temporal.devUiPort}`,
      config.payloadKeys
        ? `Temporal payloads: encrypted (AES-256-GCM); codec endpoint ${codecUrl} (sign in at ${codecUrl}/login with a token from \`plaid-setup codec-token\`)`
        : 'Temporal payloads: not encrypted (set PLAID_SETUP_PAYLOAD_KEY to encrypt them)',
      `Plaid: Sandbox ${basePathFor('sandbox', config.plaid)}, Production ${basePathFor('production', config.plaid)}`,
      '',
    ].join('\n'),
  );
  try {
    await runProcess(ctx, config, { connection: env.nativeConnection, client: env.client }, roles, codecPort, sdkMetricsUrl);
  } finally {
    await env.teardown().catch((err: unknown) => {
      // Ctrl-C reaches the dev server too; it may already be gone.
      if (!isPlaidSetupError(err)) logger.debug('dev server teardown', { error: String(err) });
    });
  }
  return 0;
}
