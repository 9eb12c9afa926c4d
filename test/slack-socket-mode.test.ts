/**
 * A real Bolt 5.1 app in Socket Mode against the emulator: Bolt's SocketModeClient asks
 * apps.connections.open for a WebSocket URL with the app-level token (App hands its
 * clientOptions, slackApiUrl included, to the SocketModeReceiver's WebClient), connects,
 * waits for hello, and the Socket Mode driver then plays a slash command, a click and modal
 * submissions over that connection; what Slack would show is read back from the emulator.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { App, LogLevel } from '@slack/bolt';
import type { ActionsBlock, ModalView } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { SlackEmulator, SocketModeDriver, type EmulatedUser } from '../src/emulators/slack';

const BOT_TOKEN = 'xoxb-emulated-bot-token';
const APP_TOKEN = 'xapp-1-A0EMULATED-1-emulatedapptoken';
const ALICE: EmulatedUser = { id: 'U0ALICE0001', name: 'alice' };
const BOB: EmulatedUser = { id: 'U0BOB000001', name: 'bob' };
const CHANNEL = 'C0SETUP0001';

const MODAL: ModalView = {
  type: 'modal',
  callback_id: 'plaid_setup.credentials',
  title: { type: 'plain_text', text: 'Plaid credentials' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks: [{ type: 'input', block_id: 'client_id', label: { type: 'plain_text', text: 'Client ID' }, element: { type: 'plain_text_input', action_id: 'value' } }],
};

const APPROVE: ActionsBlock = {
  type: 'actions',
  block_id: 'approve',
  elements: [{ type: 'button', action_id: 'plaid_setup.approve', value: 's-1', text: { type: 'plain_text', text: 'Approve' } }],
};

interface World {
  e: SlackEmulator;
  app: App;
  driver: SocketModeDriver;
  /** What the listeners saw, by listener. */
  seen: Record<string, unknown[]>;
}

let world: World | undefined;

afterEach(async () => {
  if (!world) return;
  const { app, driver, e } = world;
  world = undefined;
  // The app first: closing the emulator under a running app would make it reconnect.
  await app.stop();
  await driver.close();
  await e.close();
});

async function start(): Promise<World> {
  const e = await SlackEmulator.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN, users: [ALICE, BOB], channels: [{ id: CHANNEL, name: 'plaid-setup' }] });
  const seen: Record<string, unknown[]> = { command: [], action: [], view: [] };
  const app = new App({
    token: BOT_TOKEN,
    appToken: APP_TOKEN,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    // What src/bot/server.ts passes; the receiver's SocketModeClient gets the same options.
    clientOptions: { slackApiUrl: e.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/plaid-setup', async ({ ack, respond, command }) => {
    seen.command?.push(command);
    await ack('Working on it');
    await respond({ response_type: 'in_channel', text: `Set-up started by ${command.user_name}` });
  });
  app.action('plaid_setup.approve', async ({ ack, respond, body }) => {
    seen.action?.push(body);
    await ack();
    await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
  });
  app.view('plaid_setup.credentials', async ({ ack, view }) => {
    seen.view?.push(view);
    if (view.state.values.client_id?.value?.value !== 'client-123') {
      await ack({ response_action: 'errors', errors: { client_id: 'Not a Plaid client id' } });
      return;
    }
    await ack();
  });
  await app.start();
  const driver = await SocketModeDriver.start({ emulator: e });
  world = { e, app, driver, seen };
  await driver.connected();
  return world;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const botClient = (e: SlackEmulator): WebClient => new WebClient(BOT_TOKEN, { slackApiUrl: e.apiUrl, retryConfig: { retries: 0 } });

describe('Bolt in Socket Mode, driven through the emulator', () => {
  test('Bolt connects with the app-level token and a slash command is acked and answered on its response_url', async () => {
    const { e, driver, seen } = await start();
    expect(e.callsTo('apps.connections.open')).toEqual([expect.objectContaining({ token: APP_TOKEN, ok: true })]);
    expect(e.socketConnections).toBe(1);

    const slash = await driver.slash(ALICE, 'start acme', { channel: CHANNEL });
    expect(slash).toMatchObject({ status: 200, json: { text: 'Working on it' } });
    expect(slash.ms).toBeGreaterThan(0);
    expect(seen.command).toEqual([
      expect.objectContaining({ command: '/plaid-setup', text: 'start acme', user_id: ALICE.id, channel_id: CHANNEL, response_url: slash.responseUrl, token: driver.verificationToken }),
    ]);
    // The ack's text is the first, ephemeral response; respond() then posts in the channel.
    expect(e.ephemeralMessages(ALICE.id)).toEqual([expect.objectContaining({ channel: CHANNEL, text: 'Working on it', origin: 'ack' })]);
    await until(() => driver.responses.length === 1, 'the response_url post');
    expect(driver.responses[0]).toMatchObject({ url: slash.responseUrl, status: 200, body: { response_type: 'in_channel', text: 'Set-up started by alice' } });
    expect(e.messages(CHANNEL)).toEqual([expect.objectContaining({ text: 'Set-up started by alice', user: e.botUserId, origin: 'response_url' })]);
  });

  test('a button click is acked empty and its respond() replaces the message', async () => {
    const { e, driver, seen } = await start();
    const { ts = '' } = await botClient(e).chat.postMessage({ channel: CHANNEL, text: 'Approve?', blocks: [APPROVE] });

    const click = await driver.click(BOB, { channel: CHANNEL, ts }, 'plaid_setup.approve');
    // Bolt acks a bare ack() with `payload: {}`: no response, as an empty HTTP 200.
    expect(click).toMatchObject({ status: 200, body: '' });
    expect(click.json).toBeUndefined();
    expect(seen.action).toEqual([expect.objectContaining({ type: 'block_actions', actions: [expect.objectContaining({ action_id: 'plaid_setup.approve', value: 's-1' })] })]);
    await until(() => driver.responses.length === 1, 'the response_url post');
    expect(e.message(CHANNEL, ts)).toMatchObject({ text: `Approved by <@${BOB.id}>`, updateCount: 1 });
  });

  test('a submission acked with response_action errors keeps the modal open with the errors; a good one closes it', async () => {
    const { e, driver, seen } = await start();
    const { view } = await botClient(e).views.open({ trigger_id: e.issueTrigger(ALICE.id), view: MODAL });
    const viewId = view?.id ?? '';

    const refused = await driver.submit(ALICE, viewId, { client_id: 'nope' });
    expect(refused).toMatchObject({ status: 200, json: { response_action: 'errors', errors: { client_id: 'Not a Plaid client id' } } });
    expect(refused.rejected).toBeUndefined();
    expect(e.openViews(ALICE.id)).toEqual([expect.objectContaining({ id: viewId, errors: { client_id: 'Not a Plaid client id' } })]);
    expect(seen.view).toEqual([expect.objectContaining({ id: viewId, callback_id: 'plaid_setup.credentials' })]);

    const accepted = await driver.submit(ALICE, viewId, { client_id: 'client-123' });
    expect(accepted).toMatchObject({ status: 200, body: '' });
    expect(e.openViews(ALICE.id)).toEqual([]);
  });

  test('after a refresh_requested disconnect Bolt opens a new connection with a new URL', async () => {
    const { e, driver } = await start();
    expect(e.disconnectSockets('refresh_requested')).toBe(1);
    // Bolt closes at once and reconnects after its clientPingTimeout (5 s).
    await until(() => e.socketConnections === 0, 'the old connection to close');
    await until(() => e.socketConnections === 1, 'Bolt to reconnect');
    const urls = e.callsTo('apps.connections.open').map((call) => (call.response as { url: string }).url);
    expect(urls).toHaveLength(2);
    expect(urls[1]).not.toBe(urls[0]);
    await expect(driver.slash(ALICE, 'status', { channel: CHANNEL })).resolves.toMatchObject({ status: 200, json: { text: 'Working on it' } });
    await until(() => driver.responses.length === 1, 'the response_url post');
  });
});
