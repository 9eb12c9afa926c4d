/**
 * `plaid-setup demo`: one whole setup, end to end, on this machine alone. It starts the
 * Plaid, Codat and Slack emulators, runs `plaid-setup dev` against them as a child process
 * (the Temporal dev server, the worker and the bot, exactly as `npm start` runs them), and
 * plays the people: Alice (operator) drives the checklist through signed Slack payloads and
 * the one-time secret form, the Sandbox test fails on a redirect URI missing in Plaid and
 * passes once it is added, Bob (approver) approves, Alice enables, the drift watch checks
 * the live keys. It prints what happens, then the audit record and where to look.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { CodatEmulator } from '../emulators/codat/emulator';
import { PlaidEmulator } from '../emulators/plaid';
import { demoClient } from '../emulators/plaid/registry';
import { SlackDriver, SlackEmulator, type EmulatedUser } from '../emulators/slack';
import type { SetupState } from '../domain/state';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { freePort } from '../http/listen';
import { DEFAULT_TASK_QUEUE, stateQuery, workflowIdFor } from '../shared/messages';
import { BUTTONS, FIELDS } from '../slack/ids';
import { driftScheduleId } from '../temporal/client/drift-schedule';
import { linksIn } from '../bot/secret-form/links';
import type { CliContext } from './context';

const BIN = path.resolve(__dirname, '../../bin/plaid-setup.js');
const SETUP = 'acme';
const CHANNEL = 'C0PLAIDSETUP';
const BOT_TOKEN = 'xoxb-1000000001-2000000002-plaidsetupdemo';
const people = {
  alice: { id: 'U0ALICE', name: 'alice', realName: 'Alice (operator)' },
  bob: { id: 'U0BOB', name: 'bob', realName: 'Bob (approver)' },
  dave: { id: 'U0DAVE', name: 'dave', realName: 'Dave (auditor)' },
} satisfies Record<string, EmulatedUser>;
const WAIT_MS = 90_000;

export interface DemoOptions {
  /** Stop once the journey is done, instead of keeping everything up for a look. */
  exit?: boolean;
}

export async function demoCommand(ctx: CliContext, options: DemoOptions = {}): Promise<number> {
  const out = (line: string) => ctx.io.stdout(`${line}\n`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plaid-setup-demo-'));
  const client = demoClient({ allowedRedirectUris: [] });
  const plaid = await PlaidEmulator.start({ clients: [client] });
  const codat = await CodatEmulator.start();
  const signingSecret = randomBytes(16).toString('hex');
  const slack = await SlackEmulator.start({ botToken: BOT_TOKEN, users: Object.values(people), channels: [CHANNEL] });
  const ports = { temporal: await freePort(), ui: await freePort(), bot: await freePort() };
  out(`Emulators: Plaid Sandbox ${plaid.sandboxUrl}, Plaid Production ${plaid.productionUrl}, Codat ${codat.url}, Slack ${slack.apiUrl}`);
  out(`Data folder: ${dataDir}`);

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(ctx.io.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: ctx.io.env.TEMPORAL_CLI_PATH } : {}),
    PLAID_SETUP_DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_DEV_UI_PORT: String(ports.ui),
    PORT: String(ports.bot),
    PLAID_SANDBOX_URL: plaid.sandboxUrl,
    PLAID_PRODUCTION_URL: plaid.productionUrl,
    CODAT_API_KEY: codat.apiKey,
    CODAT_API_URL: codat.url,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PLAID_SETUP_OPERATORS: people.alice.id,
    PLAID_SETUP_APPROVERS: people.bob.id,
    PLAID_SETUP_AUDITORS: people.dave.id,
  };
  const logFile = path.join(dataDir, 'plaid-setup-dev.log');
  const product = startProduct(env, logFile);
  let driver: SlackDriver | undefined;
  let temporal: Connection | undefined;
  try {
    out('Starting plaid-setup dev: the Temporal dev server, the worker and the Slack bot…');
    const botUrl = (await product.printed(/Slack bot: listening on (\S+)/))[1] as string;
    const uiUrl = (await product.printed(/Temporal Web UI: (\S+)/))[1] as string;
    out(`  bot ${botUrl}, Temporal Web UI ${uiUrl}`);
    driver = await SlackDriver.start({ botUrl, signingSecret, emulator: slack });
    temporal = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const workflows = new Client({ connection: temporal });
    const journey = new Journey(slack, driver, workflows, out);
    await journey.run(plaid, codat, client);

    out('');
    out('The audit record (plaid-setup audit acme):');
    const audit = await runCli(['audit', SETUP], env);
    out(audit.trimEnd());
    out('');
    out(`Where to look: the Temporal Web UI at ${uiUrl} (workflow ${workflowIdFor(SETUP)}); the dev server's log in ${logFile}.`);
    if (!options.exit) {
      out('Everything stays up for a look. Press Ctrl-C to stop.');
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), product.exited]);
    }
    return 0;
  } catch (err) {
    writeFileSync(path.join(dataDir, 'demo-failure.txt'), String((err as Error).stack ?? err));
    throw new PlaidSetupError(ERROR_CODES.DEMO_FAILED, `The demo stopped: ${(err as Error).message}. The product's log is in ${logFile}.`);
  } finally {
    await temporal?.close();
    await driver?.close();
    await product.stop();
    await slack.close();
    await codat.close();
    await plaid.close();
  }
}

/** The people's side: Slack payloads, the secret form, and the Plaid and Codat dashboards. */
class Journey {
  private step = 0;

  constructor(
    private readonly slack: SlackEmulator,
    private readonly driver: SlackDriver,
    private readonly temporal: Client,
    private readonly out: (line: string) => void,
  ) {}

  private say(line: string): void {
    this.step += 1;
    this.out(`${String(this.step).padStart(2)}. ${line}`);
  }

  private checklist() {
    return this.slack.messages(CHANNEL).find((m) => m.user === this.slack.botUserId && m.origin === 'api' && !m.threadTs);
  }

  /** What the checklist message says now, as Slack would show it in a notification. */
  private shown(): string {
    return this.checklist()?.text ?? '(no checklist yet)';
  }

  private async until<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private state(): Promise<SetupState> {
    return this.temporal.workflow.getHandle(workflowIdFor(SETUP)).query(stateQuery);
  }

  private untilState(done: (s: SetupState) => boolean, what: string): Promise<SetupState> {
    return this.until(() => this.state().catch(() => undefined), (s) => s !== undefined && done(s), what) as Promise<SetupState>;
  }

  /** Clicks on the checklist once it shows the setup's current version, as a person would see it. */
  private async click(user: EmulatedUser, button: string): Promise<void> {
    await this.until(
      async () => ({ version: (await this.state().catch(() => undefined))?.version, blocks: JSON.stringify(this.checklist()?.blocks ?? []) }),
      ({ version, blocks }) => version !== undefined && blocks.includes(`actions-v${version}-`) && blocks.includes(button),
      `the ${button} button`,
    );
    const message = this.checklist()!;
    const delivery = await this.driver.click(user, { channel: CHANNEL, ts: message.ts }, button);
    if (delivery.status !== 200) throw new Error(`the bot answered ${delivery.status} to ${button}`);
  }

  /** Waits until the checklist message shows `version` of the setup. */
  private async current(version: number): Promise<void> {
    await this.until(() => JSON.stringify(this.checklist()?.blocks ?? []), (b) => b.includes(`actions-v${version}-`) || b.includes(`version ${version}"`), 'the checklist to catch up');
  }

  /** The checklist's phase line, as plain text. */
  private phase(): string {
    const blocks = (this.checklist()?.blocks ?? []) as Array<{ text?: { text?: string } }>;
    const line = blocks.map((b) => b.text?.text ?? '').find((t) => t.includes('Phase '))?.split('\n').find((l) => l.includes('Phase '));
    return (line ?? '(no phase line)').replace(/\*/g, '');
  }

  private links(user: EmulatedUser): string[] {
    const text = JSON.stringify([this.slack.ephemeralMessages(user.id), this.driver.responses]);
    return linksIn(text);
  }

  /** Clicks a secret button, opens the one-time link it answers with, and posts the form. */
  private async throughForm(user: EmulatedUser, button: string, fields: Record<string, string>): Promise<void> {
    const before = this.links(user);
    await this.click(user, button);
    const link = (await this.until(() => this.links(user).filter((l) => !before.includes(l)), (l) => l.length > 0, 'the one-time link'))[0] as string;
    this.out(`    the bot sent ${user.name} a one-time link, only to her: ${new URL(link).origin}/secrets/…`);
    const res = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(link).origin }, body: new URLSearchParams(fields) });
    if (res.status !== 200) throw new Error(`the secret form answered ${res.status}`);
    this.out('    the form took the secret into the vault; Slack never saw it');
  }

  private async modal(user: EmulatedUser, button: string, values: Record<string, string | string[]>): Promise<void> {
    const before = this.slack.openViews(user.id).length;
    await this.click(user, button);
    const views = await this.until(() => this.slack.openViews(user.id), (v) => v.length > before, `the modal from ${button}`);
    await this.driver.submit(user, views.at(-1)!.id, values);
  }

  async run(plaid: PlaidEmulator, codat: CodatEmulator, client: ReturnType<typeof demoClient>): Promise<void> {
    const { alice, bob } = people;
    const stepOf = (s: SetupState, id: string) => s.steps.find((x) => x.id === id)!;

    this.say('Alice: /plaid-setup start acme');
    await this.driver.slash(alice, `start ${SETUP}`, { channel: CHANNEL });
    await this.until(() => this.checklist(), Boolean, 'the checklist');
    this.out(`    checklist posted: "${this.shown()}"`);

    this.say('Alice confirms the redirect URI is allowed in the Plaid Dashboard (it is not, yet)');
    await this.click(alice, BUTTONS.confirmRedirect);
    await this.untilState((s) => stepOf(s, 'application').status === 'done', 'the redirect step');

    this.say('Alice enters the client_id and the Sandbox secret');
    await this.throughForm(alice, BUTTONS.openCredentials, { [FIELDS.clientId]: client.clientId, [FIELDS.sandboxSecret]: client.secrets.sandbox });
    await this.untilState((s) => stepOf(s, 'sandbox_credentials').status === 'done', 'the credentials');

    this.say('Alice chooses the settings: US and GB, continuous sync');
    await this.modal(alice, BUTTONS.openSettings, { [FIELDS.countryCodes]: ['US', 'GB'], [FIELDS.syncMode]: 'continuous' });
    await this.untilState((s) => stepOf(s, 'settings').status === 'done', 'the settings');

    this.say('Alice runs the Sandbox test');
    await this.click(alice, BUTTONS.runSandboxTest);
    const failed = await this.untilState((s) => !s.job && stepOf(s, 'sandbox_test').status === 'failed', 'the Sandbox test to fail');
    const error = stepOf(failed, 'sandbox_test').error;
    this.out(`    failed as it should: ${error?.code}: ${error?.message}`);
    this.out(`    what to do: ${error?.action}`);

    this.say('Alice adds https://plaid.codat.io/oauth/callback in the Plaid Dashboard and runs the test again');
    plaid.updateClient(client.clientId, { allowedRedirectUris: [failed.data.redirectUri] });
    await this.click(alice, BUTTONS.runSandboxTest);
    await this.untilState((s) => !s.job && stepOf(s, 'sandbox_test').status === 'done', 'the Sandbox test to pass');
    this.out('    passed: keys, Link configuration and a Sandbox Item at First Platypus Bank');

    this.say('Alice enters the values in the Codat Portal and confirms');
    await this.click(alice, BUTTONS.confirmCodat);
    await this.untilState((s) => stepOf(s, 'codat_portal').status === 'done', 'the Codat step');

    this.say('Phase 1: Alice switches Plaid on in the Codat Portal (Sandbox) and enables it here; plaid-setup reads Codat back');
    codat.setEnabled('suuo', true);
    await this.click(alice, BUTTONS.enable);
    const sandbox = await this.untilState((s) => s.enabled && s.codatCheck === undefined, 'the enablement in Sandbox');
    await this.current(sandbox.version);
    this.out(`    checklist: "${this.shown()}"; Codat read back: enabled=${String(stepOf(sandbox, 'enablement').evidence?.codatEnabled)}`);
    this.out(`    ${this.phase()}`);

    this.say('Phase 2: Alice requests production; Bob, an approver, is asked by direct message');
    await this.click(alice, BUTTONS.requestProduction);
    const request = await this.until(() => this.slack.messages(this.slack.dmChannel(bob.id))[0], Boolean, "Bob's approval request");

    this.say('Bob approves (Alice could not: four eyes)');
    await this.driver.click(bob, { channel: request!.channel, ts: request!.ts }, BUTTONS.approveProduction);
    await this.untilState((s) => s.production?.decision === 'approved', 'the approval');

    this.say('Alice enters the Production secret; Plaid Production verifies it (Sandbox stays enabled)');
    await this.throughForm(alice, BUTTONS.openProductionSecret, { [FIELDS.productionSecret]: client.secrets.production as string });
    await this.untilState((s) => !s.job && s.data.productionSecret !== undefined, 'the Production check');

    this.say('Alice puts the Production secret in the Codat Portal and confirms: the switch to Production');
    await this.click(alice, BUTTONS.confirmCodat);
    const migrated = await this.untilState((s) => !s.job && s.migration?.status === 'done' && s.codatCheck === undefined, 'the migration');
    await this.current(migrated.version);
    this.out(`    checklist: "${this.shown()}"; ${stepOf(migrated, 'enablement').detail ?? ''}`);
    this.out(`    ${this.phase()}`);

    this.say('The drift watch runs now (it runs daily): the live Production keys still work');
    await this.temporal.schedule.getHandle(driftScheduleId(DEFAULT_TASK_QUEUE)).trigger();
    const checked = await this.untilState((s) => typeof stepOf(s, 'enablement').evidence?.liveKeysCheckedAt === 'string', 'the drift check');
    this.out(`    live keys accepted at ${String(stepOf(checked, 'enablement').evidence?.liveKeysCheckedAt)}`);
  }
}

interface Product {
  printed(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

/** `plaid-setup dev` as a child process; what it prints goes to `logFile`. */
function startProduct(env: NodeJS.ProcessEnv, logFile: string): Product {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'dev'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    writeFileSync(logFile, output);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  return {
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`plaid-setup dev did not print ${pattern} within ${WAIT_MS / 1000} s`)), WAIT_MS);
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve(match);
        };
        child.stdout?.on('data', check);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`plaid-setup dev exited before it printed ${pattern}`));
        });
        check();
      }),
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs another plaid-setup command against the demo's processes; returns what it printed. */
async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, PLAID_SETUP_ACTOR: people.dave.id, TEMPORAL_ADDRESS: `127.0.0.1:${env.TEMPORAL_DEV_PORT}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`plaid-setup ${args.join(' ')} failed: ${text.trim()}`);
  return text;
}
