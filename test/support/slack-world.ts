/**
 * The Slack side of an end-to-end test: the Slack emulator, the real bot (Bolt behind
 * the request guard, HTTP on a free port) wired to the test's Temporal server and vault,
 * a worker whose notifier talks to the emulator, and a driver that sends signed payloads.
 */
import type { Worker } from '@temporalio/worker';
import { auditSource } from '../../src/audit/export';
import type { DatabaseSecurityLog } from '../../src/audit/security-log';
import { SLASH_COMMAND } from '../../src/slack/ids';
import { startBot, type RunningBot } from '../../src/bot/server';
import { loadConfig } from '../../src/config';
import { SlackDriver, SlackEmulator, SocketModeDriver, type EmulatedMessage, type EmulatedUser, type InteractionDriver } from '../../src/emulators/slack';
import { SECRET_LINKS_FILE, openReplayStore, openSecurityLog, storageFor } from '../../src/services';
import { SecretLinkStore } from '../../src/secret-links/store';
import { linksIn } from '../../src/bot/secret-form/links';
import { BUTTONS, FIELDS } from '../../src/slack/ids';
import type { SetupView } from '../../src/domain/state';
import { createActivityWebClient } from '../../src/slack/client';
import { RoleDirectory } from '../../src/slack/directory';
import { createSlackNotifier } from '../../src/slack/notifier';
import { SetupClient } from '../../src/temporal/client/setups';
import { waitFor, type Harness } from './harness';
import { APPROVERS_GROUP, TEST_ASSERTION_KEY, TEST_KEY_ENV } from './policy';

export const BOT_TOKEN = 'xoxb-1000000001-2000000002-plaidsetuptesttoken';
export const SIGNING_SECRET = '5f1c0e8a9b2d4c6e8f0a1b3c5d7e9f21';
export const APP_TOKEN = 'xapp-1-A0PLAIDSETUP-3000000003-plaidsetuptestapptoken';
export const CHANNEL = 'C0CHECKLIST';
export { APPROVERS_GROUP };

export const users = {
  alice: { id: 'U0ALICE', name: 'alice', realName: 'Alice Operator' },
  olga: { id: 'U0OLGA', name: 'olga', realName: 'Olga Operator' },
  bob: { id: 'U0BOB', name: 'bob', realName: 'Bob Approver' },
  carol: { id: 'U0CAROL', name: 'carol', realName: 'Carol Both' },
  dave: { id: 'U0DAVE', name: 'dave', realName: 'Dave Auditor' },
  mallory: { id: 'U0MALLORY', name: 'mallory', realName: 'Mallory Nobody' },
} satisfies Record<string, EmulatedUser>;

export interface SlackWorld {
  slack: SlackEmulator;
  /** Slack's side of the bot's transport: HTTP requests, or Socket Mode envelopes. */
  driver: InteractionDriver;
  /** The HTTP driver, for raw requests (forged, stale, replayed); absent in Socket Mode. */
  http?: SlackDriver;
  bot: RunningBot;
  security: DatabaseSecurityLog;
  worker: Worker;
  setups: SetupClient;
  secretEntry: 'link' | 'modal';
  close(): Promise<void>;
}

/**
 * Roles as an admin would set them: operators by user id, approvers through a user group
 * (Bob and Carol), auditors by id. Carol is an operator too, for the four-eyes tests.
 */
export async function startSlackWorld(
  h: Harness,
  options: {
    approvalsChannel?: string;
    approvalTimeoutMs?: number;
    reminderAfterMs?: number;
    socketMode?: boolean;
    updateTimeoutMs?: number;
    escalation?: { approvers: string[]; afterMs: number };
    /** How secrets are entered; the product's default, one-time links, unless a test is about modals. */
    secretEntry?: 'link' | 'modal';
    /** The clock one-time links expire by. */
    now?: () => number;
  } = {},
): Promise<SlackWorld> {
  const secretEntry = options.secretEntry ?? 'link';
  const slack = await SlackEmulator.start({
    botToken: BOT_TOKEN,
    ...(options.socketMode ? { appToken: APP_TOKEN } : {}),
    users: Object.values(users),
    usergroups: { [APPROVERS_GROUP]: [users.bob.id, users.carol.id] },
    channels: [CHANNEL, ...(options.approvalsChannel ? [options.approvalsChannel] : [])],
  });
  const config = loadConfig({
    PLAID_SETUP_DATA_DIR: h.dataDir,
    PLAID_SETUP_MASTER_KEY: h.key.toString('base64'),
    PLAID_SETUP_OPERATORS: `${users.alice.id},${users.olga.id},${users.carol.id}`,
    PLAID_SETUP_APPROVERS: APPROVERS_GROUP,
    PLAID_SETUP_AUDITORS: users.dave.id,
    ...TEST_KEY_ENV,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    ...(options.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAID_SETUP_SECRET_ENTRY: secretEntry,
    ...(options.approvalsChannel ? { PLAID_SETUP_APPROVALS_CHANNEL: options.approvalsChannel } : {}),
  });
  const web = createActivityWebClient(config.slack);
  const directory = new RoleDirectory(web, config);
  const notifier = createSlackNotifier({
    client: web,
    directory,
    logger: h.logger,
    ...(options.approvalsChannel ? { approvalsChannel: options.approvalsChannel } : {}),
    ...(options.escalation ? { escalationApprovers: options.escalation.approvers } : {}),
  });
  const worker = await h.worker({ notifier });
  const security = await openSecurityLog(config, h.logger);
  const setups = new SetupClient(
    h.temporal,
    h.taskQueue,
    {
      reminderAfterMs: options.reminderAfterMs ?? 86_400_000,
      approvalTimeoutMs: options.approvalTimeoutMs ?? 7 * 86_400_000,
      ...(options.escalation ? { escalateAfterMs: options.escalation.afterMs } : {}),
    },
    { command: SLASH_COMMAND, security, assertionKey: TEST_ASSERTION_KEY, ...(options.updateTimeoutMs ? { updateTimeoutMs: options.updateTimeoutMs } : {}) },
  );
  const replays = await openReplayStore(config);
  const linkStore = secretEntry === 'link' ? await SecretLinkStore.open(storageFor(config, SECRET_LINKS_FILE), options.now ? { now: options.now } : {}) : undefined;
  const bot = await startBot(
    config.slack,
    { setups, audit: auditSource(h.temporal, security), vault: h.vault, directory, security, logger: h.logger, replays, ...(linkStore ? { linkStore } : {}) },
    { host: '127.0.0.1' },
  );
  let driver: InteractionDriver;
  let http: SlackDriver | undefined;
  if (options.socketMode) {
    const socket = await SocketModeDriver.start({ emulator: slack });
    await socket.connected();
    driver = socket;
  } else {
    http = await SlackDriver.start({ botUrl: bot.url as string, signingSecret: SIGNING_SECRET, emulator: slack });
    driver = http;
  }
  return {
    slack,
    driver,
    ...(http ? { http } : {}),
    bot,
    security,
    worker,
    setups,
    secretEntry,
    async close() {
      // The bot first: in Socket Mode it would reconnect to a closing emulator.
      await bot.stop();
      await driver.close();
      await security.close();
      await replays.close();
      await linkStore?.close();
      await slack.close();
    },
  };
}

/** The messages the bot posted at the top of the channel (not in a thread): the checklists. */
export function postedChecklists(world: SlackWorld): EmulatedMessage[] {
  return world.slack.messages(CHANNEL).filter((m) => m.user === world.slack.botUserId && m.origin === 'api' && !m.threadTs);
}

/** The checklist message the bot keeps in the channel, once it satisfies `done`. */
export function checklistWhen(world: SlackWorld, done: (text: string) => boolean, what: string) {
  return waitFor(
    () => postedChecklists(world)[0],
    (m) => m !== undefined && done(JSON.stringify(m.blocks)),
    what,
  );
}

/** Waits for the workflow state to satisfy `done` (Slack work is asynchronous to the ack). */
export function stateWhen(world: SlackWorld, setupId: string, done: (v: SetupView) => boolean, what: string): Promise<SetupView> {
  return waitFor(() => world.setups.view(setupId), done, what);
}

/** Clicks a checklist button once the message offers it (the message is updated asynchronously). */
export async function clickChecklist(world: SlackWorld, user: EmulatedUser, actionId: string) {
  await checklistWhen(world, (t) => t.includes(actionId), `the ${actionId} button`);
  const message = postedChecklists(world)[0];
  if (!message) throw new Error('no checklist message yet');
  const delivery = await world.driver.click(user, { channel: CHANNEL, ts: message.ts }, actionId);
  expect(delivery.status).toBe(200);
  return delivery;
}

/** Opens a modal from the checklist and submits it. */
export async function submitThroughModal(world: SlackWorld, user: EmulatedUser, button: string, values: Record<string, string | string[] | undefined>) {
  await clickChecklist(world, user, button);
  const view = await waitFor(() => world.slack.openViews(user.id)[0], Boolean, `the modal from ${button}`);
  return world.driver.submit(user, view!.id, values);
}

/** What `user` was told privately (ephemeral messages and response_url answers). */
export function privateTo(world: SlackWorld, user: EmulatedUser): string {
  return JSON.stringify([world.slack.ephemeralMessages(user.id), world.driver.responses]);
}

export { linksIn };

/** Every one-time link `user` was sent privately (ephemeral messages, then response_url answers). */
export function linksTo(world: SlackWorld, user: EmulatedUser): string[] {
  return linksIn(privateTo(world, user));
}

/** Waits for a link to `user` that is not among `seen`. */
export async function nextLink(world: SlackWorld, user: EmulatedUser, seen: readonly string[]): Promise<string> {
  const fresh = await waitFor(() => linksTo(world, user).filter((l) => !seen.includes(l)), (l) => l.length > 0, 'a one-time link');
  return fresh[0] as string;
}

/** Posts the secret form as a browser would (form-encoded, from its own page). */
export async function postForm(url: string, fields: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin, ...headers }, body });
  return { status: res.status, text: await res.text() };
}

/** The button whose link (or modal) takes the secrets, for the rotation also its kind. */
type SecretButton = typeof BUTTONS.openCredentials | typeof BUTTONS.openProductionSecret | typeof BUTTONS.openRotate;

/**
 * Enters secrets the way the world is configured: the one-time link's form (clicking the
 * button, choosing the kind first for a rotation), or the modal. Fields are keyed by FIELDS.
 */
export async function enterSecrets(world: SlackWorld, user: EmulatedUser, button: SecretButton, values: Record<string, string | undefined>): Promise<{ status: number; text: string }> {
  if (world.secretEntry === 'modal') {
    const delivery = await submitThroughModal(world, user, button, values);
    return { status: delivery.status, text: delivery.body };
  }
  const seen = linksTo(world, user);
  if (button === BUTTONS.openRotate) {
    await submitThroughModal(world, user, button, { [FIELDS.rotateKind]: values[FIELDS.rotateKind] });
  } else {
    await clickChecklist(world, user, button);
  }
  // The kind was chosen in the modal; the form takes only the secret.
  const fields = Object.fromEntries(Object.entries(values).filter(([field]) => field !== FIELDS.rotateKind));
  return postForm(await nextLink(world, user, seen), fields);
}
