/**
 * The fault matrix's last case (issue 14, item 2): property-based fuzzing, with fast-check,
 * of every way input reaches plaid-setup. First the parsers alone (slash command text, modal
 * and secret-form submissions, button values, modal metadata, environment values): any input
 * is answered without a throw, with a clear error that never repeats a typed value. Then the
 * real entry points against a real Temporal dev server with one live setup: CLI arguments
 * (in-process), and slash commands, button clicks and modal submissions through the real
 * bot over signed HTTP: each ends with an answer for the person, echoes no marker, and
 * changes nothing (the setup's state version, the workflows, the vault).
 */
import fc from 'fast-check';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { parseSlashCommand } from '../../src/bot/commands';
import { parseSubmission } from '../../src/bot/submission';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { availableActions } from '../../src/domain/checklist';
import { isPlaidSetupError } from '../../src/errors';
import { slugify } from '../../src/shared/messages';
import { BUTTONS, FIELD_ACTION_ID, FIELDS, HISTORY_EXPORTS, VIEWS, buttonAction, parseButtonValue, type ButtonId } from '../../src/slack/ids';
import { parseViewMetadata, type SubmittedValues } from '../../src/slack/views';
import { SqliteDatabase } from '../../src/storage/sqlite';
import { ACTION_NAMES, COMMAND_ACTIONS, declarationOf, type ActionName } from '../../src/shared/actions';
import { MODAL_ACTIONS, MODAL_BUTTONS } from '../../src/bot/context';
import { emulatorState } from '../../src/emulators/slack/emulator';
import type { SlackDriver } from '../../src/emulators/slack/driver';
import { actionTs } from '../../src/emulators/slack/ids';
import { applyMessageResponse } from '../../src/emulators/slack/message-responses';
import { FORM_CONTENT_TYPE, blockActionsPayload, interactionBody, viewSubmissionPayload, type Interaction } from '../../src/emulators/slack/payloads';
import { RESPONSE_URL_TTL_MS, ResponseUrlServer } from '../../src/emulators/slack/response-urls';
import type { EmulatedChannel, EmulatedUser, ViewOutput } from '../../src/emulators/slack/types';
import { cliEnvFor, runCli } from '../support/cli';
import { type Harness, waitFor } from '../support/harness';
import { CHANNEL, startSlackWorld, users } from '../support/slack-world';
import { useWorld } from '../support/world';
import { report, sized } from './scale';

const RUNS = sized(1000, 10_000);
const params = { numRuns: RUNS };

/** Text a person might type, and text an attacker would: words of ours, mrkdwn, control characters. */
const typed = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc
    .tuple(fc.constantFrom('', 'start', 'status', 'history', 'list', 'help', ...COMMAND_ACTIONS.keys(), '__proto__', 'constructor'), fc.string({ maxLength: 120 }))
    .map(([word, rest]) => `${word} ${rest}`),
  fc.constantFrom('<!channel>', '<@U0ALICE>', '<#C0CHECKLIST>', '&lt;', '*bold* _it_', '```x```', '\u0000\u200b\ufeff'),
);

/** A long random marker: if it shows up in an error, the error repeated what was typed. */
const marker = fc.stringMatching(/^[a-z0-9]{16,24}$/);

const VIEW_IDS = Object.values(VIEWS);
const FIELD_IDS = Object.values(FIELDS);

/** Slack's view.state.values, well-formed or not. */
const values = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELD_IDS), fc.string({ maxLength: 20 })),
  fc.dictionary(
    fc.oneof(fc.constant(FIELD_ACTION_ID), fc.string({ maxLength: 10 })),
    fc.record(
      {
        type: fc.constantFrom('plain_text_input', 'static_select', 'radio_buttons', 'checkboxes'),
        value: fc.option(fc.oneof(typed, marker), { nil: null }),
        selected_option: fc.option(fc.record({ value: fc.oneof(typed, fc.constantFrom('sandbox', 'production', 'continuous', 'one-off')) }), { nil: null }),
        selected_options: fc.option(fc.array(fc.record({ value: fc.oneof(fc.constantFrom('US', 'GB', 'CA', 'DE'), typed) }), { maxLength: 10 }), { nil: null }),
      },
      { requiredKeys: ['type'] },
    ),
    { maxKeys: 2 },
  ),
  { maxKeys: 8 },
);

describe('the parsers alone', () => {
  test('any slash command text parses to something the bot can answer, and help never echoes mrkdwn', () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(typed, (text) => {
        const parsed = parseSlashCommand(text);
        expect(['start', 'status', 'list', 'history', 'help', 'action']).toContain(parsed.kind);
        if (parsed.kind === 'help' && parsed.problem) expect(parsed.problem).not.toMatch(/<[!@#]/);
        kinds.set(parsed.kind, (kinds.get(parsed.kind) ?? 0) + 1);
      }),
      params,
    );
    report('fuzz, slash command text', `${RUNS} texts parsed, none threw (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  });

  test('any modal or secret-form submission parses or names its fields, without repeating a typed value', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...VIEW_IDS, 'plaid_setup.unknown'), values, (view, submitted) => {
        const parsed = parseSubmission(view, submitted as SubmittedValues);
        if (parsed.ok) return;
        refused += 1;
        const typedValues = Object.values(submitted)
          .flatMap((byAction) => Object.values(byAction))
          .map((input) => input.value?.trim() ?? '')
          .filter((v) => /^[a-z0-9]{16,24}$/.test(v));
        for (const message of Object.values(parsed.errors)) {
          expect(typeof message).toBe('string');
          for (const v of typedValues) expect(message).not.toContain(v);
        }
      }),
      params,
    );
    report('fuzz, submissions', `${RUNS} submissions, none threw; ${refused} refused with field errors that repeat no typed value`);
  });

  test('button values and modal metadata from anywhere are ours or refused, never a throw', () => {
    let ours = 0;
    fc.assert(
      fc.property(fc.option(typed, { nil: undefined }), (value) => {
        const button = parseButtonValue(value);
        if (button) expect(button.setupId).toMatch(/^[a-z0-9-]{1,48}$/);
        if (button) ours += 1;
        parseViewMetadata(value ?? '');
      }),
      params,
    );
    report('fuzz, button values and metadata', `${RUNS} values, none threw; ${ours} named a setup, the rest were refused`);
  });

  test('any environment value starts, or stops with CONFIG_INVALID naming the variable, never quoting the value', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.subarray([...CONFIG_VARIABLES], { minLength: 1, maxLength: 4 }), marker, typed, (names, secret, noise) => {
        const env = Object.fromEntries(names.map((n, i) => [n, i === 0 ? secret : noise]));
        try {
          loadConfig(env, '/srv/app');
        } catch (err) {
          refused += 1;
          expect(isPlaidSetupError(err) && err.code).toBe('CONFIG_INVALID');
          const message = (err as Error).message;
          expect(names.some((n) => message.includes(n))).toBe(true);
          expect(message).not.toContain(secret);
        }
      }),
      params,
    );
    report('fuzz, environment values', `${RUNS} environments, none threw anything but CONFIG_INVALID; ${refused} refused naming the variable, never its value`);
  });
});

/** The one live setup the entry points are fuzzed against, and names that slugify to it. */
const LIVE = 'fuzz-live';
const LIVE_NAMES = ['fuzz-live', 'Fuzz Live', 'FUZZ_LIVE', ' fuzz--live '];

/** What must not change: the live setup's state version, every workflow run on the server, the vault's secrets. */
async function snapshot(h: Harness, live: WorkflowHandleWithFirstExecutionRunId): Promise<{ version: number; runs: string[]; secrets: string[] }> {
  const listRuns = async () => {
    const runs: string[] = [];
    for await (const wf of h.temporal.workflow.list()) runs.push(`${wf.workflowId}/${wf.runId}`);
    return runs;
  };
  // The listing lags a little behind starts: wait until it shows the live run, the last one started.
  const runs = await waitFor(listRuns, (r) => r.includes(`${live.workflowId}/${live.firstExecutionRunId}`), 'the live run in the listing');
  const db = await SqliteDatabase.open(`${h.dataDir}/vault.sqlite`);
  const secrets = (await db.all<{ ref: string }>('SELECT ref FROM vault_secrets')).map((r) => r.ref);
  await db.close();
  return { version: (await h.state(LIVE)).version, runs: runs.sort(), secrets: secrets.sort() };
}

/** An action that the live setup would rightly take now, from someone with the role: not a fuzz case. */
function wouldAct(action: ActionName | undefined, available: readonly ActionName[]): boolean {
  return action !== undefined && available.includes(action);
}

/**
 * Free text marked so an echo shows: mixed case and `_`, so where it lands as a setup name
 * instead, that name shows as its (lower-case) slug, never as the marker.
 */
const TEXT_MARKER = /^[A-Z][a-z0-9]{8}_[A-Z0-9]{8}$/;
const textMarker = fc.stringMatching(TEXT_MARKER);
const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('', '-', '--', '-x', '=', '\u0000', '$(id)', "'; DROP TABLE x; --"));
/** A secret as Plaid issues it (30 hex characters), so it passes the shape check and reaches the vault. */
const secretValue = fc.stringMatching(/^[0-9a-f]{30}$/);
/** Setup names: the live one as people spell it, ones that do not exist, mrkdwn, and junk. */
const someName = fc.oneof(
  fc.constantFrom(...LIVE_NAMES),
  fc.constantFrom('acme', 'nowhere', 'fuzz-live-2', '<!channel>', `<!here>${'x'.repeat(60)}`, '***'),
  junk,
);

describe('the entry points, against a live setup', () => {
  let h: Harness;
  useWorld((w) => ({ h } = w));
  // Each test starts the live setup afresh; its workflow id is the server's, shared by the tests.
  let live: WorkflowHandleWithFirstExecutionRunId | undefined;
  afterEach(async () => {
    await live?.terminate('the fuzz case is over');
    live = undefined;
  });

  test('any argv ends the CLI with an exit code and a sentence, never echoes a secret, and changes nothing', async () => {
    // Commands that run servers until Ctrl-C are not fuzzed: they take no setup input.
    const SERVERS = ['dev', 'worker', 'bot', 'demo', 'plaid-emulator'];
    const COMMANDS = ['status', 'list', 'audit', 'codec-token', 'vault-rekey', 'help', ...ACTION_NAMES.map((a) => declarationOf(a).command)];
    /** The CLI's free-text options (a note, a reason, a Link customization): a marker given there must not come back. */
    const TEXT_FLAGS = ['--note', '--reason', '--comment', '--link-customization'];
    const textMarkers = (args: string[]) => args.flatMap((t, i) => (TEXT_FLAGS.includes(args[i - 1] ?? '') && TEXT_MARKER.test(t) ? [t] : []));
    const value = fc.oneof(
      junk,
      fc.constantFrom('alice', 'bob', 'dave', 'mallory', 'U0ALICE', 'md', 'csv', 'json', 'xml', 'sandbox', 'production', 'development', 'yes', 'no', 'pr-1', 'pr-999999999'),
      fc.constantFrom('continuous', 'one-off', 'US,GB', 'US,XX', ',,', '0123456789abcdef01234567', 'codat_portal', 'complete'),
      fc.constantFrom('2026-11-01', '2026-13-45', '1970-01-01T00:00:00Z', 'yesterday', '0', '-1', '1e309', 'NaN', '8h', '7d', '8d', '59s'),
      fc.nat({ max: 3000 }).map((n) => 'a'.repeat(n)),
    );
    const FLAGS = [
      '--as', '--json', '--format', '--all', '--since', '--ttl', '--step', '--environment', '--enabled', '--request', '--note', '--comment', '--reason',
      '--countries', '--sync', '--link-customization', '--client-id', '--with-development-secret', '--no-wait', '--timeout', '--kind', '--exit', '--port',
      '--help', '-h', '--version', '--open-roles', '--bogus', '-z', '--',
    ];
    const flag = fc.constantFrom(...FLAGS);
    /** Words that can only be a flag or a name of the live setup (no `--`: after it, `--json` would be a name). */
    const startWord = (t: string) => t === 'start' || (FLAGS.includes(t) && t !== '--') || slugify(t) === LIVE;
    /** One unit of argv: a flag, a flag with its value (kept together), a name, or a stray word. */
    const unit = (names: fc.Arbitrary<string>) =>
      fc.oneof(
        flag.map((f) => [f]),
        fc.tuple(flag, value).map(([f, v]) => [f, v]),
        fc.tuple(flag, value).map(([f, v]) => [`${f}=${v}`]),
        fc.tuple(fc.constantFrom(...TEXT_FLAGS), textMarker),
        names.map((n) => [n]),
      );
    /** The options each command takes, so most cases get past commander to the setups client and the workflow. */
    const OWN_FLAGS: Record<string, string[]> = {
      status: ['--json'],
      list: ['--json', '--step', '--environment', '--enabled'],
      audit: ['--format', '--all', '--since'],
      'codec-token': ['--as', '--ttl'],
      settings: ['--countries', '--environment', '--link-customization'],
      credentials: ['--with-development-secret'],
      'sandbox-test': ['--no-wait', '--timeout'],
      'production-secret': ['--no-wait', '--timeout'],
      'rotate-secret': ['--no-wait', '--timeout'],
      'confirm-codat': ['--step'],
    };
    const ownFlags = (command: string): string[] => {
      const action = COMMAND_ACTIONS.get(command);
      if (!action) return OWN_FLAGS[command] ?? ['--json'];
      const { text, decision } = declarationOf(action);
      return ['--as', '--json', ...(text ? [`--${text}`] : []), ...(decision ? ['--request'] : []), ...(OWN_FLAGS[command] ?? [])];
    };
    /** What commander requires of each action command, so a case gets past it to the setup. */
    const REQUIRED: Record<string, string[]> = { settings: ['--sync'], credentials: ['--client-id'], approve: ['--request'], reject: ['--request', '--reason'], 'rotate-secret': ['--kind'] };
    const option = (flags: string[]) => {
      const text = flags.filter((f) => TEXT_FLAGS.includes(f));
      return text.length === 0 ? fc.tuple(fc.constantFrom(...flags), value) : fc.oneof(fc.tuple(fc.constantFrom(...flags), value), fc.tuple(fc.constantFrom(...text), textMarker));
    };
    const argv = fc.oneof(
      {
        // A real command, a name, what it requires and options it knows, with fuzzed values: most reach the setup.
        weight: 4,
        arbitrary: fc
          .constantFrom(...COMMANDS)
          .chain((command) =>
            fc.tuple(
              fc.constant(command),
              someName,
              fc.tuple(...(REQUIRED[command] ?? []).map((f) => fc.tuple(fc.constant(f), value))),
              fc.array(option(ownFlags(command)), { maxLength: 3 }),
            ),
          )
          .map(([command, name, required, options]) => [command, name, ...required.flat(), ...options.flat()]),
      },
      // A real command with names, flags and values in any order.
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...COMMANDS), fc.array(unit(someName), { maxLength: 6 })).map(([command, units]) => [command, ...units.flat()]) },
      // start: every word that could become the name names the live setup, so it must be refused as existing.
      { weight: 1, arbitrary: fc.array(fc.oneof(flag, fc.constantFrom(...LIVE_NAMES)), { maxLength: 6 }).map((words) => ['start', ...words]) },
      { weight: 1, arbitrary: fc.array(fc.oneof(junk, flag, fc.constantFrom(...COMMANDS)), { maxLength: 6 }) },
    );
    const secretMarker = fc.oneof(secretValue, fc.stringMatching(/^sk-[0-9a-f]{24}$/));

    /** Known-valid actions on the live setup, writing a file, or starting servers: the rest must all change nothing. */
    const outOfScope = (args: string[], available: readonly ActionName[]) =>
      args.some((t) => t.startsWith('--out') || SERVERS.includes(t)) ||
      (args.includes('start') && !args.every(startWord)) ||
      (args.some((t) => wouldAct(COMMAND_ACTIONS.get(t), available)) && args.some((t) => slugify(t) === LIVE));

    const worker = await h.worker();
    await worker.runUntil(async () => {
      const setup = await h.start(LIVE);
      live = setup;
      const before = await snapshot(h, setup);
      const available = availableActions(await h.state(LIVE));
      // Nobody's role unless --as says otherwise.
      const cliEnv = cliEnvFor(h, 'mallory');
      const codes = [0, 0, 0];
      const runs = sized(500, 10_000);
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(argv, secretMarker, async (args, secret) => {
          fc.pre(!outOfScope(args, available));
          const run = await runCli(args, cliEnv, `${secret}\n`);
          const printed = `${run.stdout}${run.stderr}`;
          expect([0, 1, 2]).toContain(run.code);
          codes[run.code] = (codes[run.code] ?? 0) + 1;
          // A failure says why on stderr; success prints something (help, a state, a list).
          expect((run.code === 0 ? printed : run.stderr).trim()).not.toBe('');
          expect(printed).not.toMatch(/Unexpected error|\n\s+at .+:\d+:\d+/);
          expect(printed).not.toContain(secret);
          for (const text of textMarkers(args)) expect(printed).not.toContain(text);
          expect((await h.state(LIVE)).version).toBe(before.version);
        }),
        { numRuns: runs },
      );
      expect(await snapshot(h, setup)).toEqual(before);
      report(
        'fuzz, CLI arguments',
        `${runs} argv in ${((Date.now() - started) / 1000).toFixed(1)} s: exit 0 ${codes[0]}, 1 ${codes[1]}, 2 ${codes[2]}; every failure said why on stderr, no stack trace, no secret echoed; state version ${before.version}, ${before.runs.length} workflow run(s) and ${before.secrets.length} vault secret(s) unchanged`,
      );
    });
  }, sized(120_000, 3_600_000));

  test.each(['link', 'modal'] as const)('any slash command, click or modal submission through the real bot is answered, echoes no marker and changes nothing (secrets by %s)', async (secretEntry) => {
    const world = await startSlackWorld(h, { secretEntry });
    const http = world.http as SlackDriver;
    // Stands in for Slack's response_urls of fuzzed clicks, applying what the bot posts to the emulator as the driver's do.
    const urls = await ResponseUrlServer.start('127.0.0.1', RESPONSE_URL_TTL_MS, (target, body) =>
      applyMessageResponse(body, target, 'response_url', emulatorState(world.slack)),
    );
    const people = fc.constantFrom(users.alice, users.bob, users.dave, users.mallory);
    const operators: readonly EmulatedUser[] = [users.alice];
    const interaction = (user: EmulatedUser): Interaction => ({
      user,
      team: world.slack.team,
      appId: world.slack.appId,
      verificationToken: http.verificationToken,
      triggerId: world.slack.issueTrigger(user.id),
    });
    /** What the bot showed anyone since `mark`: posts to response_urls, and the Web API calls people see. */
    const mark = () => ({ calls: world.slack.calls.length, responses: http.responses.length, posts: urls.posts.length });
    const shownSince = (from: ReturnType<typeof mark>) => [
      ...world.slack.calls.slice(from.calls).filter((c) => c.ok && ['chat.postEphemeral', 'chat.postMessage', 'views.open', 'files.completeUploadExternal'].includes(c.method)),
      ...http.responses.slice(from.responses).filter((r) => r.status === 200),
      ...urls.posts.slice(from.posts).filter((r) => r.status === 200),
    ];
    const failures = () => h.logLines.filter((l) => /Slack (handler|request) failed/.test(l)).length;
    /** Waits for the bot's answer to one delivery (it works after the ack), and returns everything it showed. */
    const answer = async (from: ReturnType<typeof mark>, acked: boolean): Promise<string> => {
      const deadline = Date.now() + 10_000;
      while (!acked && shownSince(from).length === 0) {
        if (Date.now() > deadline) throw new Error('the bot told the person nothing');
        await new Promise((r) => setTimeout(r, 5));
      }
      return JSON.stringify(shownSince(from));
    };
    /** Nothing a person typed comes back raw: no free-text marker, no mrkdwn mention. */
    const expectNoEcho = (shown: string, typedTexts: string[]) => {
      expect(shown).not.toMatch(/<!(channel|here|everyone)/);
      for (const t of typedTexts) expect(shown).not.toContain(t);
    };
    const counts = { slash: 0, clicks: 0, namedSetup: 0, submissions: 0, pastFieldChecks: 0 };
    const started = Date.now();

    try {
      await world.worker.runUntil(async () => {
        const setup = await h.start(LIVE);
        live = setup;
        const before = await snapshot(h, setup);
        const available = availableActions(await h.state(LIVE));
        const failed = failures();
        const unchanged = async () => expect((await h.state(LIVE)).version).toBe(before.version);

        const slashText = fc.oneof(
          { weight: 1, arbitrary: typed },
          {
            // A subcommand, a name and free text: most reach the role checks, the setup and its validators.
            weight: 3,
            arbitrary: fc
              .tuple(
                fc.constantFrom('start', 'status', 'history', 'list', 'help', 'STATUS', 'bogus', ...COMMAND_ACTIONS.keys()),
                someName,
                fc.array(fc.oneof(textMarker, junk, fc.constantFrom('pr-1', 'pr-2', '<!channel>')), { maxLength: 3 }),
              )
              .map(([word, name, rest]) => [word, name, ...rest].join(' ')),
          },
        );
        await fc.assert(
          fc.asyncProperty(people, fc.constantFrom(CHANNEL, undefined), slashText, async (user, channel, text) => {
            const parsed = parseSlashCommand(text);
            fc.pre(!(parsed.kind === 'start' && operators.includes(user) && ![undefined, LIVE].includes(slugify(parsed.name))));
            fc.pre(!(parsed.kind === 'action' && slugify(parsed.name) === LIVE && wouldAct(parsed.action, available) && !MODAL_ACTIONS.has(parsed.action)));
            const from = mark();
            const delivery = await http.slash(user, text, channel ? { channel } : {});
            expect(delivery.status).toBe(200);
            const shown = await answer(from, false);
            // A new setup's name is the rest of its text: only there may typed words return (as the name).
            expectNoEcho(shown, parsed.kind === 'start' ? [] : text.split(/\s+/).filter((w) => TEXT_MARKER.test(w)));
            await unchanged();
            counts.slash += 1;
          }),
          { numRuns: sized(40, 1000) },
        );

        // Our action_ids (every one the bot routes to a listener), mostly real, and values mostly naming a setup.
        const actionId = fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...Object.values(BUTTONS), ...Object.values(HISTORY_EXPORTS)) },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom('plaid_setup.', 'plaid_setup_history.'), junk).map(([prefix, rest]) => `${prefix}${rest}`) },
        );
        const buttonValue = fc.option(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(LIVE, `${LIVE}/pr-1`, 'nowhere', 'nowhere/pr-2') },
            { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__proto__', `${LIVE}/pr-`), junk, textMarker, textMarker.map((m) => `${LIVE}/${m}`)) },
          ),
          { nil: undefined, freq: 10 },
        );
        await fc.assert(
          fc.asyncProperty(people, actionId, fc.oneof(junk, textMarker), buttonValue, async (user, action, blockId, value) => {
            fc.pre(!(parseButtonValue(value)?.setupId === LIVE && wouldAct(buttonAction(action), available) && !MODAL_BUTTONS.has(action as ButtonId)));
            const responseUrl = urls.issue('actions', world.slack.team.id, { channel: CHANNEL, userId: user.id });
            const channel = world.slack.channel(CHANNEL) as EmulatedChannel;
            const payload = blockActionsPayload(
              interaction(user),
              { kind: 'message', channel, ts: '1700000000.000100', ephemeral: false, state: {}, responseUrl },
              { block: { block_id: blockId }, element: { action_id: action, text: { type: 'plain_text', text: 'Go' } }, value, actionTs: actionTs() },
            );
            const from = mark();
            const delivery = await http.send(interactionBody(payload), FORM_CONTENT_TYPE);
            expect(delivery.status).toBe(200);
            expectNoEcho(await answer(from, false), [blockId, ...(value ?? '').split('/')].filter((t) => TEXT_MARKER.test(t)));
            await unchanged();
            counts.clicks += 1;
            if (parseButtonValue(value)) counts.namedSetup += 1;
          }),
          { numRuns: sized(40, 1000) },
        );

        // What the bot put in private_metadata when it opened the modal, mostly, and what it never would.
        const metadata = fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom(
              JSON.stringify({ setupId: LIVE, channel: CHANNEL }),
              JSON.stringify({ setupId: LIVE }),
              JSON.stringify({ setupId: LIVE, channel: CHANNEL, requestId: 'pr-1' }),
              JSON.stringify({ setupId: 'nowhere', channel: CHANNEL }),
            ),
          },
          { weight: 1, arbitrary: junk },
        );
        const field = (type: string, value: fc.Arbitrary<string>) =>
          value.map((v) => ({ [FIELD_ACTION_ID]: type === 'plain_text_input' ? { type, value: v } : { type, selected_option: { value: v } } }));
        /** The modals' own fields, mostly with choices Slack offers and marked free text: many get past the field checks. */
        const formValues = fc
          .tuple(
            fc.record(
              {
                [FIELDS.environment]: field('static_select', fc.constantFrom('sandbox', 'sandbox', 'production', 'development')),
                [FIELDS.syncMode]: field('radio_buttons', fc.constantFrom('continuous', 'one-off', 'weekly')),
                [FIELDS.countryCodes]: fc
                  .subarray(['US', 'GB', 'CA', 'DE'])
                  .map((codes) => ({ [FIELD_ACTION_ID]: { type: 'checkboxes', selected_options: codes.map((value) => ({ value })) } })),
                [FIELDS.linkCustomization]: field('plain_text_input', fc.oneof(textMarker, junk)),
                [FIELDS.reason]: field('plain_text_input', fc.oneof(textMarker.map((m) => `not yet, ${m}`), junk)),
                [FIELDS.rotateKind]: field('static_select', fc.constantFrom('sandbox', 'production', 'development')),
                [FIELDS.clientId]: field('plain_text_input', fc.oneof(fc.stringMatching(/^[0-9a-f]{24}$/), junk)),
              },
              { requiredKeys: [FIELDS.environment, FIELDS.syncMode, FIELDS.reason, FIELDS.rotateKind, FIELDS.clientId] },
            ),
            // Secrets as Plaid issues them: typed into a modal they reach the vault, unless the action is refused;
            // with links any is refused unread, so they are rarer there and the rest gets further.
            fc.oneof(
              {
                weight: secretEntry === 'modal' ? 3 : 1,
                arbitrary: fc.record({
                  [FIELDS.sandboxSecret]: field('plain_text_input', secretValue),
                  [FIELDS.productionSecret]: field('plain_text_input', secretValue),
                  [FIELDS.rotateSecret]: field('plain_text_input', secretValue),
                }),
              },
              { weight: 3, arbitrary: fc.constant({}) },
            ),
          )
          .map(([fields, secrets]) => ({ ...fields, ...secrets }));
        await fc.assert(
          fc.asyncProperty(people, fc.constantFrom(...VIEW_IDS), metadata, fc.oneof({ weight: 1, arbitrary: values }, { weight: 3, arbitrary: formValues }), async (user, callbackId, privateMetadata, submitted) => {
            const parsed = parseSubmission(callbackId, submitted as SubmittedValues);
            fc.pre(!(parsed.ok && parseViewMetadata(privateMetadata)?.setupId === LIVE && wouldAct(parsed.action, available)));
            const id = `V0FUZZ${counts.submissions}${Date.now()}`;
            const view: ViewOutput = {
              id,
              callback_id: callbackId,
              team_id: world.slack.team.id,
              app_id: world.slack.appId,
              bot_id: world.slack.botId,
              title: { type: 'plain_text', text: 'Plaid setup' },
              type: 'modal',
              blocks: [],
              close: null,
              submit: { type: 'plain_text', text: 'Save' },
              state: { values: submitted as ViewOutput['state']['values'] },
              hash: '1700000000.0a1b2c3d',
              private_metadata: privateMetadata,
              root_view_id: id,
              previous_view_id: null,
              clear_on_close: false,
              notify_on_close: false,
            };
            const from = mark();
            const delivery = await http.send(interactionBody(viewSubmissionPayload(interaction(user), view)), FORM_CONTENT_TYPE);
            expect(delivery.status).toBe(200);
            // Field errors are the answer in the ack itself; otherwise the person is told afterwards.
            const errors = (delivery.json as { response_action?: string } | undefined)?.response_action === 'errors';
            const typedWords = Object.values(submitted as SubmittedValues)
              .flatMap((byAction) => Object.values(byAction))
              .flatMap((input) => (input.value ?? '').split(/[\s,]+/))
              .filter((w) => TEXT_MARKER.test(w) || /^[a-z0-9]{16,24}$|^[0-9a-f]{30}$/.test(w));
            expectNoEcho(`${delivery.body}${await answer(from, errors)}`, typedWords);
            await unchanged();
            counts.submissions += 1;
            if (!errors) counts.pastFieldChecks += 1;
          }),
          { numRuns: sized(40, 1000) },
        );

        expect(failures()).toBe(failed);
        expect(await snapshot(h, setup)).toEqual(before);
        report(
          'fuzz, Slack deliveries',
          `secrets by ${secretEntry}: ${counts.slash} slash commands, ${counts.clicks} clicks (${counts.namedSetup} naming a setup) and ${counts.submissions} submissions (${counts.pastFieldChecks} past the field checks) through the real bot in ${((Date.now() - started) / 1000).toFixed(1)} s: every one acked 200 and answered the person, none echoed a marker or a mention, no handler failed; state version ${before.version}, ${before.runs.length} workflow run(s) and ${before.secrets.length} vault secret(s) unchanged`,
        );
      });
    } finally {
      await urls.close();
      await world.close();
    }
  }, sized(120_000, 3_600_000));
});
