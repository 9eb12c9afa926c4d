/**
 * One CLI command per checklist action, derived from shared/actions.ts: its name, help
 * line, the request a decision names and its free text come from the declaration. A few
 * actions take more (a form's fields, a secret on stdin, waiting for a check): those are
 * the entries of CUSTOM; every other action needs nothing here.
 */
import { type Command, Option } from 'commander';
import type { SetupState } from '../domain/state';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { ACTION_NAMES, declarationOf, type ActionArgs, type ActionDeclaration, type ActionName } from '../shared/actions';
import { ClientIdSchema, check, type SecretRef } from '../shared/schemas';
import { actWithSecrets as storeThenAct, type SecretToStore } from '../temporal/client/secret-actions';
import { setupIdOf } from '../temporal/client/setups';
import type { CliContext } from './context';
import { formatState, type StateView } from './format';
import { parseSecret, readSecretLines } from './secret-input';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CommonOptions {
  as?: string;
  json?: boolean;
}

type Options = CommonOptions & Record<string, string | undefined>;

/** What each kind of free text means, as a CLI option's help. */
const TEXT_OPTIONS: Record<NonNullable<ActionDeclaration['text']>, string> = {
  note: 'context for approvers',
  comment: 'a comment for the record',
  reason: 'why',
};

export function print(ctx: CliContext, state: StateView, json: boolean | undefined): void {
  ctx.io.stdout(json ? `${JSON.stringify(state, null, 2)}\n` : formatState(state));
}

export async function queryState(ctx: CliContext, name: string): Promise<StateView> {
  return (await ctx.setups()).view(setupIdOf(name));
}

/**
 * Sends one action; returns the new state, or throws the validator's sentence, or
 * OUTCOME_UNKNOWN when no answer came back (the workflow may still take the action).
 */
async function act<N extends ActionName>(ctx: CliContext, name: string, action: N, args: ActionArgs<N>): Promise<SetupState> {
  return (await ctx.setups()).act(setupIdOf(name), action, args);
}

/** Sends an action that carries secrets (temporal/client/secret-actions.ts); Temporal is reached before any secret is stored. */
async function actWithSecrets<N extends ActionName>(
  ctx: CliContext,
  name: string,
  action: N,
  secrets: SecretToStore[],
  build: (refs: SecretRef[]) => ActionArgs<N>,
): Promise<SetupState> {
  const setups = await ctx.setups();
  return storeThenAct({ setups, vault: await ctx.openVault() }, setupIdOf(name), action, secrets, build);
}

/** Waits while a check runs, so the command reports its outcome. */
async function awaitCheck(ctx: CliContext, name: string, timeoutMs: number): Promise<StateView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queryState(ctx, name);
    if (!state.job || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function checkOutcome(state: StateView, step: 'sandbox_test' | 'production_secret' | 'rotation'): number {
  if (state.job) return EXIT.ok;
  const failed = step === 'rotation' ? state.rotation?.status === 'failed' : state.steps.find((s) => s.id === step)?.status === 'failed';
  return failed ? EXIT.failed : EXIT.ok;
}

export interface ActionCommands {
  program: Command;
  ctx: CliContext;
  setExit: (code: number) => void;
  withActor: (cmd: Command) => Command;
}

/** Registers a command for every action, in checklist order. */
export function registerActionCommands({ program, ctx, setExit, withActor }: ActionCommands): void {
  const waitOptions = (cmd: Command) =>
    cmd.option('--no-wait', 'return as soon as the check has started').option('--timeout <seconds>', 'how long to wait for the check', '300');

  /** The command for an action, named and described by its declaration. */
  const actionCommand = (action: ActionName, howHere?: string) => {
    const { command, summary } = declarationOf(action);
    return withActor(program.command(`${command} <name>`).description(howHere ? `${summary} (${howHere})` : summary));
  };

  /**
   * An action whose arguments come from its declaration: the request a decision names
   * (--request; `status` shows it, so a decision cannot land on a newer request) and its
   * free text (--note, --comment, --reason); `more` adds the rest.
   */
  const simple = <N extends ActionName>(
    action: N,
    extra: (cmd: Command) => Command = (c) => c,
    more: (opts: Options) => Record<string, unknown> = () => ({}),
  ) => {
    const { decision, text } = declarationOf(action);
    let cmd = actionCommand(action);
    if (decision) cmd = cmd.requiredOption('--request <id>', 'the production request decided on, e.g. pr-1 (see status)');
    if (text) cmd = cmd.option(`--${text} <text>`, TEXT_OPTIONS[text]);
    extra(cmd).action(async (name: string, opts: Options) => {
      const actor = ctx.actor(opts.as);
      const typed = text ? opts[text] : undefined;
      const args = { actor, ...(decision ? { requestId: opts.request ?? '' } : {}), ...(text && typed ? { [text]: typed } : {}), ...more(opts) };
      // The workflow's validator parses these with the action's schema; the CLI only collects them.
      print(ctx, await act(ctx, name, action, args as ActionArgs<N>), opts.json);
    });
  };

  /** An action that sends a secret read from stdin, then (unless --no-wait) waits for its check. */
  const secretCheck = (
    action: 'submitProductionSecret' | 'rotateSecret',
    kindOf: (opts: Options) => 'sandbox' | 'production',
    extra: (c: Command) => Command,
  ) =>
    waitOptions(extra(actionCommand(action, 'the secret from stdin, first line, or a hidden prompt'))).action(
      async (name: string, opts: Options & { wait: boolean; timeout: string }) => {
        const actor = ctx.actor(opts.as);
        const kind = kindOf(opts);
        const label = `${kind === 'sandbox' ? 'Sandbox' : 'Production'} secret`;
        const [line] = await readSecretLines(ctx.io, [label]);
        const value = parseSecret(line, label);
        const rotation = action === 'rotateSecret';
        let state: StateView = rotation
          ? await actWithSecrets(ctx, name, 'rotateSecret', [{ kind, value }], ([secret]) => ({ actor, kind, secret: secret as SecretRef }))
          : await actWithSecrets(ctx, name, 'submitProductionSecret', [{ kind, value }], ([secret]) => ({ actor, secret: secret as SecretRef }));
        if (opts.wait) state = await awaitCheck(ctx, name, Number(opts.timeout) * 1000);
        print(ctx, state, opts.json);
        setExit(checkOutcome(state, rotation ? 'rotation' : 'production_secret'));
      },
    );

  const CUSTOM: Partial<Record<ActionName, () => void>> = {
    confirmCodat: () =>
      simple(
        'confirmCodat',
        (c) => c.addOption(new Option('--step <step>', 'which entry to confirm').choices(['codat_portal', 'production_secret'])),
        (o) => (o.step ? { step: o.step } : {}),
      ),
    rejectProduction: () =>
      simple(
        'rejectProduction',
        (c) => c.requiredOption('--reason <text>', 'why, for the requester'),
        (o) => ({ reason: o.reason ?? '' }),
      ),
    updateSettings: () =>
      actionCommand('updateSettings')
        .option('--countries <codes>', 'comma-separated subset of US,CA,ES,FR,GB,IE,NL (empty: the environment default)', '')
        .requiredOption('--sync <mode>', 'continuous or one-off')
        .option('--environment <env>', 'sandbox or production', 'sandbox')
        .option('--link-customization <name>', 'the Link customization to use')
        .action(async (name: string, opts: CommonOptions & { countries: string; sync: string; environment: string; linkCustomization?: string }) => {
          const actor = ctx.actor(opts.as);
          const state = await act(ctx, name, 'updateSettings', {
            actor,
            environment: opts.environment,
            countryCodes: opts.countries.split(',').filter((c) => c.trim() !== ''),
            syncMode: opts.sync as 'continuous' | 'one-off',
            ...(opts.linkCustomization ? { linkCustomizationName: opts.linkCustomization } : {}),
          });
          print(ctx, state, opts.json);
        }),
    submitCredentials: () =>
      actionCommand('submitCredentials', 'the Sandbox secret from stdin, first line, or a hidden prompt')
        .requiredOption('--client-id <id>', 'the Plaid client_id')
        .option('--with-development-secret', 'also read the legacy Development secret (second line)')
        .action(async (name: string, opts: CommonOptions & { clientId: string; withDevelopmentSecret?: boolean }) => {
          const actor = ctx.actor(opts.as);
          const clientId = check(ClientIdSchema, opts.clientId);
          if (!clientId.ok) throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `--client-id: ${clientId.message}.`);
          const prompts = ['Sandbox secret', ...(opts.withDevelopmentSecret ? ['Development secret (legacy)'] : [])];
          const [sandbox, development] = await readSecretLines(ctx.io, prompts);
          const secrets = [
            { kind: 'sandbox' as const, value: parseSecret(sandbox, 'Sandbox secret') },
            ...(opts.withDevelopmentSecret ? [{ kind: 'development' as const, value: parseSecret(development, 'Development secret') }] : []),
          ];
          const state = await actWithSecrets(ctx, name, 'submitCredentials', secrets, ([sandboxSecret, developmentSecret]) => ({
            actor,
            clientId: clientId.value,
            sandboxSecret: sandboxSecret as SecretRef,
            ...(developmentSecret ? { developmentSecret } : {}),
          }));
          print(ctx, state, opts.json);
        }),
    runSandboxTest: () =>
      waitOptions(actionCommand('runSandboxTest')).action(async (name: string, opts: CommonOptions & { wait: boolean; timeout: string }) => {
        const actor = ctx.actor(opts.as);
        let state: StateView = await act(ctx, name, 'runSandboxTest', { actor });
        if (opts.wait) state = await awaitCheck(ctx, name, Number(opts.timeout) * 1000);
        print(ctx, state, opts.json);
        setExit(checkOutcome(state, 'sandbox_test'));
      }),
    submitProductionSecret: () => secretCheck('submitProductionSecret', () => 'production', (c) => c),
    rotateSecret: () =>
      secretCheck(
        'rotateSecret',
        (o) => (o.kind === 'production' ? 'production' : 'sandbox'),
        (c) => c.addOption(new Option('--kind <kind>', 'which secret').choices(['sandbox', 'production']).makeOptionMandatory()),
      ),
  };

  for (const action of ACTION_NAMES) (CUSTOM[action] ?? (() => simple(action)))();
}
