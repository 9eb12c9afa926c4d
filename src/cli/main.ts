/**
 * plaid-setup: the command line. Every action goes through the workflow's validated
 * updates; a refusal prints the validator's sentence and exits non-zero.
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { AUDIT_FORMATS, formatRecord, periodRecord, setupRecord, type AuditFormat, type AuditRow } from '../audit/export';
import { ERROR_CODES, PlaidSetupError, isPlaidSetupError } from '../errors';
import { rolesOf } from '../config';
import { ACTOR_ID_MAX, HISTORY_READERS, ROLE_VARIABLES, parseDuration } from '../shared/schemas';
import { issueCodecToken } from '../temporal/codec/token';
import { setupIdOf } from '../temporal/client/setups';
import { EXIT, print, queryState, registerActionCommands, type CommonOptions } from './actions';
import { CliContext, type CliLimits, type Io } from './context';
import { botCommand, devCommand, workerCommand } from './dev';
import { demoCommand } from './demo';
import { DEFAULT_EMULATOR_PORT, plaidEmulatorCommand } from './plaid-emulator';

export type { CliLimits };

/** --as is checked when parsed, so an over-long id gets the limit in words and is not echoed back. */
function actorIdArg(value: string): string {
  const length = value.trim().length;
  if (length > ACTOR_ID_MAX) {
    throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `--as: an id is at most ${ACTOR_ID_MAX} characters (this one has ${length}).`);
  }
  return value;
}

function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('plaid-setup')
    .description('Set up a Plaid integration for Codat as a durable, audited checklist.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) })
    .exitOverride();

  const withActor = (cmd: Command) =>
    cmd.option('--as <id>', 'who is acting (default: PLAID_SETUP_ACTOR, else your login name)', actorIdArg).option('--json', 'print the new state as JSON');
  const openRoles = (cmd: Command) =>
    cmd.option('--open-roles', 'with no role lists and no Slack bot: everyone holds every role, for local use (PLAID_SETUP_OPEN_ROLES)');

  openRoles(
    program.command('dev').description('run everything in one process: the Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker and, when Slack is configured, the bot'),
  ).action(async (opts: { openRoles?: boolean }) => setExit(await devCommand(ctx, { openRoles: !!opts.openRoles })));

  openRoles(program.command('worker').description('run a worker alone against TEMPORAL_ADDRESS (default 127.0.0.1:7233); run as many as you need')).action(
    async (opts: { openRoles?: boolean }) => setExit(await workerCommand(ctx, { openRoles: !!opts.openRoles })),
  );

  program
    .command('bot')
    .description('run the Slack bot alone against TEMPORAL_ADDRESS; replicas share PLAID_SETUP_DATABASE_URL, so a replayed request is refused by all')
    .action(async () => setExit(await botCommand(ctx)));

  const audit = program
    .command('audit')
    .description('the audit record of a setup (timeline from its workflow history, with security events), or `audit verify`')
    .argument('[name]', 'the setup')
    .addOption(new Option('--format <format>', 'output format').choices([...AUDIT_FORMATS]).default('md'))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--all', 'every setup, for a period review (with --since)')
    .option('--since <date>', 'with --all: only events from this date (YYYY-MM-DD or ISO 8601) on')
    .action(async (name: string | undefined, opts: { format: AuditFormat; out?: string; all?: boolean; since?: string }) => {
      if (!name && !opts.all) {
        throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, 'Say which setup: plaid-setup audit <name> [--format md|csv|json], or --all --since DATE, or audit verify.');
      }
      const since = opts.since === undefined ? undefined : Date.parse(opts.since);
      if (since !== undefined && Number.isNaN(since)) {
        throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `--since must be a date such as 2026-11-01 or an ISO 8601 time, not "${opts.since}".`);
      }
      const client = await ctx.temporal();
      const log = await ctx.securityLog();
      let kept: AuditRow[];
      let title: string;
      if (opts.all) {
        kept = await periodRecord(client, log, since);
        title = `all setups${opts.since ? ` since ${opts.since}` : ''}`;
      } else {
        title = setupIdOf(name as string);
        const record = await setupRecord(client, log, title);
        if (!record) throw (await ctx.setups()).notFound(title);
        kept = record;
      }
      const text = formatRecord(opts.format, title, kept);
      if (opts.out) {
        writeFileSync(opts.out, text, { mode: 0o640 });
        ctx.io.stdout(`Wrote the audit record of ${title} (${opts.format}, ${kept.length} events) to ${opts.out}.\n`);
      } else {
        ctx.io.stdout(text);
      }
    });

  audit
    .command('verify')
    .description('check the security log: its keyed hash chain and its anchor; exits 1 naming the first edited, deleted or reordered row, or rows cut off the end')
    .action(async () => {
      const check = await (await ctx.securityLog()).verify();
      if (check.ok) {
        const legacy = check.legacyRows > 0 ? ` ${check.legacyRows} of them predate the keyed chain and were checked with the old unkeyed hash only.` : '';
        ctx.io.stdout(`Security log intact: ${check.rows} row(s), every link holds.${legacy}\n`);
      } else if (check.brokenAt === undefined) {
        ctx.io.stderr(`Security log does not match its anchor: ${check.reason}. Compare security.sqlite and security.anchor with a backup to find what changed.\n`);
        setExit(EXIT.failed);
      } else {
        ctx.io.stderr(`Security log broken at row ${check.brokenAt} of ${check.rows}: ${check.reason}. Rows from ${check.brokenAt} on cannot be trusted.\n`);
        setExit(EXIT.failed);
      }
    });

  program
    .command('codec-token')
    .description('issue a token for the codec endpoint, so an auditor or operator can read encrypted histories in the Temporal Web UI or CLI')
    .option('--as <id>', 'who the token is for (default: PLAID_SETUP_ACTOR, else your login name)', actorIdArg)
    .option('--ttl <duration>', 'how long it is valid, at most 7d', '8h')
    .action((opts: { as?: string; ttl: string }) => {
      const keys = ctx.config.payloadKeys;
      if (!keys) {
        throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, 'Temporal payloads are not encrypted here, so there is no codec endpoint: set PLAID_SETUP_PAYLOAD_KEY first.');
      }
      const ttlMs = parseDuration(opts.ttl);
      if (ttlMs === undefined || ttlMs < 60_000 || ttlMs > 7 * 86_400_000) {
        throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `--ttl must be a duration from 1m to 7d, such as 8h, not "${opts.ttl}".`);
      }
      const actor = ctx.actor(opts.as);
      const roles = rolesOf(ctx.config, actor.id);
      if (!HISTORY_READERS.some((role) => roles.includes(role))) {
        throw new PlaidSetupError(
          ERROR_CODES.FORBIDDEN,
          `${actor.id} can't read histories: list them in ${ROLE_VARIABLES.auditor} or ${ROLE_VARIABLES.operator}.`,
        );
      }
      const { token, claims } = issueCodecToken(keys.current, actor.id, ttlMs);
      // The token alone on stdout, so it can be piped; the explanation on stderr.
      ctx.io.stderr(
        `Codec token for ${actor.id}, valid until ${new Date(claims.exp * 1000).toISOString()}. Use it as \`Authorization: Bearer <token>\` (temporal --codec-auth), or sign in at <codec endpoint>/login for the Web UI.\n`,
      );
      ctx.io.stdout(`${token}\n`);
    });

  program
    .command('demo')
    .description('run one whole setup against the Plaid, Codat and Slack emulators (Temporal, worker and bot included), then print its audit record')
    .option('--exit', 'stop once the setup is done, instead of keeping everything up for a look')
    .action(async (opts: { exit?: boolean }) => setExit(await demoCommand(ctx, { exit: opts.exit ?? false })));

  program
    .command('plaid-emulator')
    .description('run a loopback Plaid emulator with demo credentials, to try plaid-setup without a Plaid account')
    .option('--port <port>', 'Sandbox port; Production uses the next one', String(DEFAULT_EMULATOR_PORT))
    .action(async (opts: { port: string }) => setExit(await plaidEmulatorCommand(ctx, opts.port)));

  withActor(program.command('start <name>').description('start the set-up checklist for a new integration')).action(
    async (name: string, opts: CommonOptions) => {
      const actor = ctx.actor(opts.as);
      await (await ctx.setups()).start(setupIdOf(name), name, actor);
      print(ctx, await queryState(ctx, name), opts.json);
    },
  );

  program
    .command('list')
    .description('list setups, filtered on the server by search attributes')
    .option('--json', 'print JSON')
    .option('--step <step>', 'only setups whose next step is this (or "complete")')
    .option('--environment <env>', 'only setups in this environment (sandbox or production)')
    .addOption(new Option('--enabled <yes|no>', 'only enabled (yes) or not enabled (no) setups').choices(['yes', 'no']))
    .action(async (opts: { json?: boolean; step?: string; environment?: string; enabled?: 'yes' | 'no' }) => {
      const rows = await (await ctx.setups()).summaries({
        ...(opts.step !== undefined ? { step: opts.step } : {}),
        ...(opts.environment !== undefined ? { environment: opts.environment } : {}),
        ...(opts.enabled ? { enabled: opts.enabled === 'yes' } : {}),
      });
      if (opts.json) {
        ctx.io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (rows.length === 0) {
        ctx.io.stdout('No setups.\n');
      } else {
        for (const r of rows) {
          ctx.io.stdout(`${String(r.setupId).padEnd(24)} ${String(r.status).padEnd(11)} ${String(r.step).padEnd(20)} ${String(r.environment).padEnd(10)} ${r.enabled ? 'enabled' : ''}\n`);
        }
      }
    });

  program
    .command('status <name>')
    .description("show a setup's checklist")
    .option('--json', 'print the state as JSON')
    .action(async (name: string, opts: CommonOptions) => print(ctx, await queryState(ctx, name), opts.json));

  registerActionCommands({ program, ctx, setExit, withActor });

  program
    .command('vault-rekey')
    .description('re-encrypt every secret written under PLAID_SETUP_PREVIOUS_MASTER_KEY with PLAID_SETUP_MASTER_KEY')
    .action(async () => {
      const count = await (await ctx.openVault()).rekey();
      ctx.io.stdout(`Re-encrypted ${count} secret(s) with the current key.\n`);
    });

  return program;
}

/** `limits` are for tests; without them the setups client's own defaults hold. */
export async function main(argv: string[], io: Io = defaultIo(), limits?: CliLimits): Promise<number> {
  let ctx: CliContext | undefined;
  let code: number = EXIT.ok;
  try {
    ctx = new CliContext(io, limits);
    const program = buildProgram(ctx, (c) => {
      code = c;
    });
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isPlaidSetupError(err)) {
      io.stderr(`${err.message}\n`);
      return err.code === ERROR_CODES.INPUT_INVALID || err.code === ERROR_CODES.CONFIG_INVALID ? EXIT.usage : EXIT.failed;
    }
    io.stderr(`Unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  } finally {
    await ctx?.close();
  }
}

function defaultIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    env: process.env,
  };
}
