/**
 * The Slack emulator through the real WebClient (each method's answers and refusals, Block Kit
 * limits, trigger_ids, injected faults, the call log) and the driver against a bot server that
 * checks signatures with Bolt's own verifySlackRequest (payload shapes, replays, forged and
 * stale signatures, response_urls and their limit, what Slack does with acks), then both
 * against a real Bolt app. Socket Mode is seen on the wire through a bare WebSocket client
 * (apps.connections.open, hello, envelopes and acks, disconnects); slack-socket-mode.test.ts
 * runs Bolt on it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { quietSlackLogger as quiet, slackError } from './support/slack-client';
import type { ActionsBlock, Button, DividerBlock, HomeView, ModalView, SectionBlock } from '@slack/types';
import { ErrorCode, WebClient, type WebAPIRateLimitedError } from '@slack/web-api';
import {
  RESPONSE_URL_MAX_USES,
  SlackDriver,
  SlackEmulator,
  slackSignature,
  SocketModeDriver,
  type EmulatedUser,
  type SlackEmulatorOptions,
  type ViewOutput,
} from '../src/emulators/slack';

const BOT_TOKEN = 'xoxb-emulated-bot-token';
const APP_TOKEN = 'xapp-1-A0EMULATED-1-emulatedapptoken';
const SIGNING_SECRET = 'emulated-signing-secret';
const ALICE: EmulatedUser = { id: 'U0ALICE0001', name: 'alice', realName: 'Alice Admin' };
const BOB: EmulatedUser = { id: 'U0BOB000001', name: 'bob' };
const CHANNEL = 'C0SETUP0001';
const ADMINS = 'S0ADMINS001';

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function emulator(options: Partial<SlackEmulatorOptions> = {}): Promise<SlackEmulator> {
  const e = await SlackEmulator.start({
    botToken: BOT_TOKEN,
    users: [ALICE, BOB],
    usergroups: { [ADMINS]: [ALICE.id] },
    channels: [{ id: CHANNEL, name: 'plaid-setup' }],
    ...options,
  });
  started.push(e);
  return e;
}

const client = (e: SlackEmulator, options: ConstructorParameters<typeof WebClient>[1] = {}): WebClient =>
  new WebClient(BOT_TOKEN, { slackApiUrl: e.apiUrl, logger: quiet, retryConfig: { retries: 0 }, ...options });

/** A raw call, for encodings WebClient never sends. */
async function raw(e: SlackEmulator, method: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${e.apiUrl}${method}`, { method: 'POST', body, headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (actionId: string, value: string, text = 'Go'): Button => ({ type: 'button', action_id: actionId, value, text: { type: 'plain_text', text } });
const actions = (...elements: Button[]): ActionsBlock => ({ type: 'actions', elements });

const MODAL: ModalView = {
  type: 'modal',
  callback_id: 'plaid_setup.credentials',
  private_metadata: '{"setupId":"s-1"}',
  title: { type: 'plain_text', text: 'Plaid credentials' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks: [
    { type: 'input', block_id: 'client_id', label: { type: 'plain_text', text: 'Client ID' }, element: { type: 'plain_text_input', action_id: 'value' } },
    {
      type: 'input',
      block_id: 'country_codes',
      label: { type: 'plain_text', text: 'Countries' },
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'United States' }, value: 'US' },
          { text: { type: 'plain_text', text: 'United Kingdom' }, value: 'GB' },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'sync_mode',
      label: { type: 'plain_text', text: 'Sync' },
      element: {
        type: 'radio_buttons',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'Daily' }, value: 'daily' },
          { text: { type: 'plain_text', text: 'Hourly' }, value: 'hourly' },
        ],
        initial_option: { text: { type: 'plain_text', text: 'Daily' }, value: 'daily' },
      },
    },
    {
      type: 'input',
      block_id: 'environment',
      optional: true,
      label: { type: 'plain_text', text: 'Environment' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'Sandbox' }, value: 'sandbox' },
          { text: { type: 'plain_text', text: 'Production' }, value: 'production' },
        ],
      },
    },
    { ...actions(button('plaid_setup.help', 's-1', 'Help')), block_id: 'help' },
  ],
};

describe('Slack emulator: Web API through WebClient', () => {
  test('auth.test answers for the bot token only; the token travels as a Bearer header or a form field, never in a JSON body', async () => {
    const e = await emulator({ team: { id: 'T0TEAM00001', name: 'Codat', domain: 'codat' }, bot: { name: 'plaid-setup' } });
    await expect(client(e).auth.test()).resolves.toMatchObject({
      ok: true,
      url: 'https://codat.slack.com/',
      team: 'Codat',
      user: 'plaid-setup',
      team_id: 'T0TEAM00001',
      user_id: e.botUserId,
      bot_id: e.botId,
    });
    expect(await slackError(new WebClient('xoxb-other', { slackApiUrl: e.apiUrl, logger: quiet }).auth.test())).toEqual({ error: 'invalid_auth' });

    const form = await raw(e, 'auth.test', `token=${BOT_TOKEN}`, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.json).toMatchObject({ ok: true, user_id: e.botUserId });
    const json = await raw(e, 'chat.postMessage', JSON.stringify({ channel: CHANNEL, text: 'as JSON', blocks: [section('as JSON')] }), {
      'Content-Type': 'application/json; charset=utf-8',
      Authorization: `Bearer ${BOT_TOKEN}`,
    });
    expect(json.json).toMatchObject({ ok: true, channel: CHANNEL, message: { text: 'as JSON', blocks: [{ type: 'section', text: { text: 'as JSON' } }] } });
    const tokenInJson = await raw(e, 'auth.test', JSON.stringify({ token: BOT_TOKEN }), { 'Content-Type': 'application/json' });
    expect(tokenInJson).toEqual({ status: 200, json: { ok: false, error: 'not_authed' } });
    const badJson = await raw(e, 'auth.test', '{', { 'Content-Type': 'application/json', Authorization: `Bearer ${BOT_TOKEN}` });
    expect(badJson.json).toEqual({ ok: false, error: 'invalid_json' });
    const unknown = await raw(e, 'chat.teleport', '', { Authorization: `Bearer ${BOT_TOKEN}` });
    expect(unknown.json).toEqual({ ok: false, error: 'unknown_method', req_method: 'chat.teleport' });
  });

  test('chat.postMessage answers channel, a ts unique per channel and the message; a user id posts to their DM', async () => {
    const e = await emulator();
    const slack = client(e);
    const first = await slack.chat.postMessage({ channel: CHANNEL, text: 'Set-up started', blocks: [section('*Plaid set-up*'), actions(button('go', 's-1'))] });
    const second = await slack.chat.postMessage({ channel: CHANNEL, text: 'Reply', thread_ts: first.ts });
    expect(first).toMatchObject({ ok: true, channel: CHANNEL, message: { type: 'message', user: e.botUserId, bot_id: e.botId, app_id: e.appId, text: 'Set-up started' } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const [posted, reply] = e.messages(CHANNEL);
    expect(posted).toMatchObject({ ts: first.ts, text: 'Set-up started', user: e.botUserId, botId: e.botId, updateCount: 0, origin: 'api' });
    // Slack generates the ids left out.
    expect(posted?.blocks.map((b) => b.block_id)).toEqual([expect.stringMatching(/^\w{5}$/), expect.stringMatching(/^\w{5}$/)]);
    expect(reply?.threadTs).toBe(first.ts);

    const dm = await slack.chat.postMessage({ channel: ALICE.id, text: 'Hello' });
    expect(dm.channel).toBe(e.dmChannel(ALICE.id));
    expect(dm.channel).toMatch(/^D/);
  });

  test('chat.postMessage refuses what Slack refuses', async () => {
    const e = await emulator();
    const slack = client(e);
    expect(await slackError(slack.chat.postMessage({ channel: 'C0NOWHERE01', text: 'x' }))).toEqual({ error: 'channel_not_found' });
    expect(await slackError(slack.apiCall('chat.postMessage', { text: 'no channel' }))).toEqual({ error: 'channel_not_found' });
    expect(await slackError(slack.apiCall('chat.postMessage', { channel: CHANNEL }))).toEqual({ error: 'no_text' });

    const tooMany = Array.from({ length: 51 }, (_, i) => section(`block ${i}`));
    expect(await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: tooMany }))).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must provide no more than 50 items [json-pointer:/blocks]'],
    });
    expect(await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [section('a'.repeat(3001))] }))).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    const header = { type: 'header' as const, text: { type: 'plain_text' as const, text: 'h'.repeat(151) } };
    expect((await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [header] }))).messages).toEqual([
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ]);
    const longButton = actions(button('go', 'v'.repeat(2001)));
    expect((await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [longButton] }))).messages).toEqual([
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
    ]);
    const twice = [{ ...section('a'), block_id: 'same' }, { ...section('b'), block_id: 'same' }];
    expect((await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: twice }))).error).toBe('invalid_blocks');
    expect((await slackError(slack.apiCall('chat.postMessage', { channel: CHANNEL, text: 'x', blocks: [{ type: 'carousel_of_doom' }] }))).error).toBe('invalid_blocks');

    const notJson = await raw(e, 'chat.postMessage', new URLSearchParams({ channel: CHANNEL, text: 'x', blocks: '[{"type":' }).toString(), {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Bearer ${BOT_TOKEN}`,
    });
    expect(notJson.json).toEqual({ ok: false, error: 'invalid_blocks_format' });
    expect(e.messages()).toEqual([]);

    const long = await slack.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) });
    expect(long.warning).toBe('message_truncated');
    expect(e.message(CHANNEL, long.ts ?? '')?.text).toHaveLength(40_000);
  });

  test('chat.update changes the bot’s messages and counts updates; blocks left out are kept', async () => {
    const e = await emulator();
    const slack = client(e);
    const { ts } = await slack.chat.postMessage({ channel: CHANNEL, text: 'Pending', blocks: [section('Pending')] });
    const updated = await slack.chat.update({ channel: CHANNEL, ts: ts ?? '', text: 'Approved' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts, text: 'Approved', message: { text: 'Approved', edited: { user: e.botUserId } } });
    await slack.chat.update({ channel: CHANNEL, ts: ts ?? '', text: 'Enabled', blocks: [section('Enabled')] });
    expect(e.message(CHANNEL, ts ?? '')).toMatchObject({ text: 'Enabled', updateCount: 2, blocks: [{ type: 'section', text: { text: 'Enabled' } }] });

    expect(await slackError(slack.chat.update({ channel: CHANNEL, ts: '1700000000.000001', text: 'x' }))).toEqual({ error: 'message_not_found' });
    expect(await slackError(slack.chat.update({ channel: ALICE.id, ts: ts ?? '', text: 'x' }))).toEqual({ error: 'channel_not_found' });
    expect(await slackError(slack.chat.update({ channel: CHANNEL, ts: ts ?? '', text: 'x'.repeat(4001) }))).toEqual({ error: 'msg_too_long' });
    const { message_ts } = await slack.chat.postEphemeral({ channel: CHANNEL, user: ALICE.id, text: 'only you' });
    expect(await slackError(slack.chat.update({ channel: CHANNEL, ts: message_ts ?? '', text: 'x' }))).toEqual({ error: 'message_not_found' });
  });

  test('chat.postEphemeral is kept apart per recipient', async () => {
    const e = await emulator();
    const slack = client(e);
    const { message_ts } = await slack.chat.postEphemeral({ channel: CHANNEL, user: ALICE.id, text: 'Only Alice', blocks: [section('Only Alice')] });
    expect(message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(e.ephemeralMessages(ALICE.id)).toEqual([expect.objectContaining({ channel: CHANNEL, user: ALICE.id, ts: message_ts, text: 'Only Alice', origin: 'api' })]);
    expect(e.ephemeralMessages(BOB.id)).toEqual([]);
    expect(e.messages(CHANNEL)).toEqual([]);
    expect(await slackError(slack.chat.postEphemeral({ channel: CHANNEL, user: 'U0NOBODY001', text: 'x' }))).toEqual({ error: 'user_not_in_channel' });
    expect(await slackError(slack.chat.postEphemeral({ channel: e.dmChannel(ALICE.id), user: BOB.id, text: 'x' }))).toEqual({ error: 'user_not_in_channel' });
  });

  test('conversations.open, users.info and usergroups.users.list', async () => {
    const e = await emulator();
    const slack = client(e);
    const opened = await slack.conversations.open({ users: ALICE.id });
    expect(opened.channel?.id).toMatch(/^D[A-Z0-9]{10}$/);
    expect(opened.already_open).toBeUndefined();
    await expect(slack.conversations.open({ users: ALICE.id })).resolves.toMatchObject({ channel: { id: opened.channel?.id }, already_open: true, no_op: true });
    expect(await slackError(slack.apiCall('conversations.open', {}))).toEqual({ error: 'users_list_not_supplied' });
    expect(await slackError(slack.conversations.open({ users: 'U0NOBODY001' }))).toEqual({ error: 'user_not_found' });

    await expect(slack.users.info({ user: ALICE.id })).resolves.toMatchObject({
      user: { id: ALICE.id, name: 'alice', real_name: 'Alice Admin', is_bot: false, profile: { real_name: 'Alice Admin' } },
    });
    await expect(slack.users.info({ user: e.botUserId })).resolves.toMatchObject({ user: { is_bot: true } });
    expect(await slackError(slack.users.info({ user: 'U0NOBODY001' }))).toEqual({ error: 'user_not_found' });

    await expect(slack.usergroups.users.list({ usergroup: ADMINS })).resolves.toMatchObject({ users: [ALICE.id] });
    expect(await slackError(slack.usergroups.users.list({ usergroup: 'S0NOPE00001' }))).toEqual({ error: 'no_such_subteam' });
  });

  test('views.open exchanges a trigger_id once, within its lifetime, for a modal on that user’s screen', async () => {
    const e = await emulator({ triggerTtlMs: 100 });
    const slack = client(e);
    const trigger = e.issueTrigger(ALICE.id);
    expect(trigger).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    const { view } = await slack.views.open({ trigger_id: trigger, view: MODAL });
    expect(view).toMatchObject({
      id: expect.stringMatching(/^V/),
      team_id: e.team.id,
      type: 'modal',
      callback_id: 'plaid_setup.credentials',
      private_metadata: '{"setupId":"s-1"}',
      hash: expect.stringMatching(/^\d+\.[0-9a-f]{8}$/),
      state: { values: {} },
      previous_view_id: null,
      app_id: e.appId,
      bot_id: e.botId,
    });
    expect(view?.root_view_id).toBe(view?.id);
    expect(e.openViews(ALICE.id)).toEqual([expect.objectContaining({ id: view?.id, userId: ALICE.id, callbackId: 'plaid_setup.credentials' })]);
    expect(e.openViews(BOB.id)).toEqual([]);

    expect(await slackError(slack.views.open({ trigger_id: trigger, view: MODAL }))).toEqual({ error: 'exchanged_trigger_id' });
    expect(await slackError(slack.views.open({ trigger_id: '123.456.abc', view: MODAL }))).toEqual({ error: 'invalid_trigger_id' });
    expect(await slackError(slack.views.open({ trigger_id: 'not a trigger', view: MODAL }))).toEqual({ error: 'invalid_trigger_id' });
    expect(await slackError(slack.apiCall('views.open', { view: MODAL }))).toEqual({ error: 'invalid_arguments', messages: ['invalid `trigger_id`'] });
    const late = e.issueTrigger(BOB.id);
    await sleep(150);
    expect(await slackError(slack.views.open({ trigger_id: late, view: MODAL }))).toEqual({ error: 'expired_trigger_id' });
  });

  test('views.* refuse views that break Block Kit’s limits with invalid_arguments, leaving the trigger usable', async () => {
    const e = await emulator();
    const slack = client(e);
    const trigger = e.issueTrigger(ALICE.id);
    const longTitle: ModalView = { ...MODAL, title: { type: 'plain_text', text: 'A title of twenty-five ch' } };
    expect(await slackError(slack.views.open({ trigger_id: trigger, view: longTitle }))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
    });
    const noSubmit: ModalView = { type: 'modal', title: MODAL.title, blocks: MODAL.blocks };
    expect((await slackError(slack.views.open({ trigger_id: trigger, view: noSubmit }))).messages).toEqual(['[ERROR] missing required field: submit [json-pointer:/view]']);
    const tooMany: ModalView = { ...MODAL, blocks: Array.from({ length: 101 }, (): DividerBlock => ({ type: 'divider' })) };
    expect((await slackError(slack.views.open({ trigger_id: trigger, view: tooMany }))).messages).toEqual([
      '[ERROR] must provide no more than 100 items [json-pointer:/view/blocks]',
    ]);
    const metadata = { ...MODAL, private_metadata: 'm'.repeat(3001) };
    expect((await slackError(slack.views.open({ trigger_id: trigger, view: metadata }))).messages).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]',
    ]);
    const huge = { ...MODAL, blocks: Array.from({ length: 90 }, () => section('x'.repeat(2990))) };
    expect(await slackError(slack.views.open({ trigger_id: trigger, view: huge }))).toEqual({ error: 'view_too_large' });
    await expect(slack.views.open({ trigger_id: trigger, view: MODAL })).resolves.toMatchObject({ ok: true });
  });

  test('views.publish keeps one Home tab per user', async () => {
    const e = await emulator();
    const slack = client(e);
    const home: HomeView = { type: 'home', blocks: [section('Your set-ups')] };
    const first = (await slack.views.publish({ user_id: ALICE.id, view: home })).view as ViewOutput;
    const again = (await slack.views.publish({ user_id: ALICE.id, hash: first.hash, view: { ...home, blocks: [section('None left')] } })).view as ViewOutput;
    expect(again.id).toBe(first.id);
    expect(e.homeView(ALICE.id)).toMatchObject({ id: first.id, type: 'home', updateCount: 1, blocks: [{ text: { text: 'None left' } }] });
    expect(e.homeView(BOB.id)).toBeUndefined();
    expect(e.openViews()).toEqual([]);
    expect(await slackError(slack.views.publish({ user_id: ALICE.id, hash: first.hash, view: home }))).toEqual({ error: 'hash_conflict' });
    expect(await slackError(slack.views.publish({ user_id: 'U0NOBODY001', view: home }))).toEqual({ error: 'invalid_arguments', messages: ['invalid `user_id`'] });
    expect(await slackError(slack.views.publish({ user_id: ALICE.id, view: MODAL }))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be home [json-pointer:/view/type]'],
    });
  });

  test('injected faults: errors for the next calls, ratelimited as HTTP 429 with Retry-After', async () => {
    const e = await emulator();
    e.inject('auth.test', 'internal_error', { times: 2 });
    const slack = client(e);
    expect(await slackError(slack.auth.test())).toEqual({ error: 'internal_error' });
    expect(await slackError(slack.auth.test())).toEqual({ error: 'internal_error' });
    await expect(slack.auth.test()).resolves.toMatchObject({ ok: true });

    e.inject('chat.postMessage', 'ratelimited', { retryAfterSeconds: 7 });
    const rejected = await client(e, { rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: CHANNEL, text: 'x' })
      .catch((error: unknown) => error as WebAPIRateLimitedError);
    expect(rejected).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    e.inject('chat.postMessage', 'ratelimited', { retryAfterSeconds: 3 });
    const raw429 = await fetch(`${e.apiUrl}chat.postMessage`, { method: 'POST', headers: { Authorization: `Bearer ${BOT_TOKEN}` } });
    expect({ status: raw429.status, retryAfter: raw429.headers.get('retry-after'), body: (await raw429.json()) as unknown }).toEqual({
      status: 429,
      retryAfter: '3',
      body: { ok: false, error: 'ratelimited' },
    });

    e.inject('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1 });
    const waited = await client(e, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } }).chat.postMessage({ channel: CHANNEL, text: 'after the wait' });
    expect(waited.ok).toBe(true);
    expect(e.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ratelimited', 'ratelimited', 'ok']);
  });

  test('the call log keeps every call in order with its token, decoded arguments and answer', async () => {
    const e = await emulator();
    await client(e).chat.postMessage({ channel: CHANNEL, text: 'logged', blocks: [section('logged')] });
    const [call] = e.callsTo('chat.postMessage');
    expect(call).toMatchObject({
      seq: 1,
      method: 'chat.postMessage',
      token: BOT_TOKEN,
      args: { channel: CHANNEL, text: 'logged', blocks: [section('logged')] },
      ok: true,
      response: { ok: true, channel: CHANNEL },
    });
    expect(Date.parse(call?.at ?? '')).not.toBeNaN();
    expect(e.calls).toHaveLength(1);
  });
});

interface Received {
  raw: string;
  headers: IncomingMessage['headers'];
  /** verifySlackRequest's complaint, or undefined when the request verified. */
  verification?: string;
  /** The form fields, with `payload` decoded. */
  form: Record<string, string>;
  payload?: Record<string, unknown>;
}

type BotAnswer = { status?: number; body?: unknown };

/** A stand-in for the bot's Request URL: verifies like Bolt, records, answers what the test says. */
async function fakeBot(answer: (received: Received) => BotAnswer = () => ({})): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verification: string | undefined;
      try {
        verifySlackRequest({
          signingSecret: SIGNING_SECRET,
          body: raw,
          headers: { 'x-slack-signature': String(req.headers['x-slack-signature']), 'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']) },
        });
      } catch (error) {
        verification = (error as Error).message;
      }
      const form = Object.fromEntries(new URLSearchParams(raw));
      const entry: Received = { raw, headers: req.headers, form, ...(verification ? { verification } : {}), ...(form.payload ? { payload: JSON.parse(form.payload) as Record<string, unknown> } : {}) };
      received.push(entry);
      const reply = verification ? { status: 401 } : answer(entry);
      const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, typeof reply.body === 'object' ? { 'content-type': 'application/json' } : {});
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bot = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  started.push(bot);
  return bot;
}

async function driverFor(e: SlackEmulator, botUrl: string, options: { responseUrlTtlMs?: number } = {}): Promise<SlackDriver> {
  const driver = await SlackDriver.start({ botUrl, signingSecret: SIGNING_SECRET, emulator: e, ...options });
  started.push(driver);
  return driver;
}

const postJson = (url: string, body: unknown): Promise<Response> => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('Slack driver: requests to the bot', () => {
  test('a slash command is a signed form with Slack’s fields, a fresh trigger_id and a response_url', async () => {
    const e = await emulator({ team: { id: 'T0TEAM00001', domain: 'codat' } });
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url);
    const delivery = await driver.slash(ALICE, 'start acme & co', { channel: CHANNEL });
    expect(delivery).toMatchObject({ status: 200, body: '' });
    expect(delivery.ms).toBeGreaterThan(0);

    const [request] = bot.received;
    expect(request?.verification).toBeUndefined();
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['user-agent']).toBe('Slackbot 1.0 (+https://api.slack.com/robots)');
    expect(Object.keys(request?.form ?? {})).toEqual([
      'token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name', 'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id',
    ]);
    expect(request?.form).toMatchObject({
      token: driver.verificationToken,
      team_id: 'T0TEAM00001',
      team_domain: 'codat',
      channel_id: CHANNEL,
      channel_name: 'plaid-setup',
      user_id: ALICE.id,
      user_name: 'alice',
      command: '/plaid-setup',
      text: 'start acme & co',
      api_app_id: e.appId,
      is_enterprise_install: 'false',
      response_url: delivery.responseUrl,
    });
    expect(request?.raw).toContain('command=%2Fplaid-setup&text=start+acme+%26+co');

    // The trigger is the user's, for one modal.
    await expect(client(e).views.open({ trigger_id: request?.form.trigger_id ?? '', view: MODAL })).resolves.toMatchObject({ ok: true });
    expect(e.openViews(ALICE.id)).toHaveLength(1);

    await driver.slash(BOB, 'help');
    expect(bot.received[1]?.form).toMatchObject({ channel_id: e.dmChannel(BOB.id), channel_name: 'directmessage', command: '/plaid-setup' });
    expect(bot.received[1]?.form.trigger_id).not.toBe(request?.form.trigger_id);
  });

  test('a slash command’s ack body is shown as its first response', async () => {
    const e = await emulator();
    let ack: unknown = 'Working on it';
    const bot = await fakeBot(() => ({ body: ack }));
    const driver = await driverFor(e, bot.url);
    await driver.slash(ALICE, 'status', { channel: CHANNEL });
    expect(e.ephemeralMessages(ALICE.id)).toEqual([expect.objectContaining({ channel: CHANNEL, text: 'Working on it', origin: 'ack' })]);
    ack = { response_type: 'in_channel', text: 'Set-up s-1 started' };
    await driver.slash(ALICE, 'start', { channel: CHANNEL });
    expect(e.messages(CHANNEL)).toEqual([expect.objectContaining({ text: 'Set-up s-1 started', user: e.botUserId, origin: 'ack' })]);
    ack = { blocks: [section('x'.repeat(3001))] };
    const refused = await driver.slash(ALICE, 'start', { channel: CHANNEL });
    expect(refused.rejected).toEqual({ error: 'invalid_blocks', messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] });
  });

  test('response_urls take 5 posts, then answer used_url; each post is recorded and applied', async () => {
    const e = await emulator();
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url);
    const { responseUrl } = await driver.slash(ALICE, 'status', { channel: CHANNEL });
    const answers = [];
    for (let i = 1; i <= RESPONSE_URL_MAX_USES + 1; i += 1) {
      const response = await postJson(responseUrl, { text: `update ${i}`, response_type: i === 1 ? 'in_channel' : 'ephemeral' });
      answers.push({ status: response.status, body: (await response.json()) as unknown });
    }
    expect(answers.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: { ok: true } })));
    expect(answers[5]).toEqual({ status: 404, body: { ok: false, error: 'used_url' } });
    expect(driver.responses.map((r) => [r.url, r.status])).toEqual([...Array.from({ length: 5 }, () => [responseUrl, 200]), [responseUrl, 404]]);
    expect(driver.responses[0]?.body).toEqual({ text: 'update 1', response_type: 'in_channel' });
    expect(e.messages(CHANNEL).map((m) => [m.text, m.origin])).toEqual([['update 1', 'response_url']]);
    expect(e.ephemeralMessages(ALICE.id).map((m) => m.text)).toEqual(['update 2', 'update 3', 'update 4', 'update 5']);

    const other = await driver.slash(ALICE, 'status', { channel: CHANNEL });
    const invalid = await postJson(other.responseUrl, { blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'no' } }] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    const notJson = await fetch(other.responseUrl, { method: 'POST', body: 'text=hi' });
    expect(await notJson.json()).toEqual({ ok: false, error: 'invalid_payload' });
    const unknown = await postJson(`${new URL(other.responseUrl).origin}/commands/T1/2/3`, { text: 'x' });
    expect(unknown.status).toBe(404);
  });

  test('response_urls expire', async () => {
    const e = await emulator();
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url, { responseUrlTtlMs: 50 });
    const { responseUrl } = await driver.slash(ALICE, 'status', { channel: CHANNEL });
    await sleep(80);
    const response = await postJson(responseUrl, { text: 'too late' });
    expect({ status: response.status, body: (await response.json()) as unknown }).toEqual({ status: 404, body: { ok: false, error: 'expired_url' } });
  });

  test('clicking a message button sends block_actions with the message, a response_url and a fresh trigger_id', async () => {
    const e = await emulator();
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url);
    const slack = client(e);
    const { ts } = await slack.chat.postMessage({
      channel: CHANNEL,
      text: 'Approve?',
      blocks: [section('Approve production?'), actions({ ...button('plaid_setup.approve_production', 's-1', 'Approve'), style: 'primary' })],
    });
    const delivery = await driver.click(BOB, { channel: CHANNEL, ts: ts ?? '' }, 'plaid_setup.approve_production');
    expect(delivery.status).toBe(200);
    const payload = bot.received[0]?.payload ?? {};
    expect(bot.received[0]?.verification).toBeUndefined();
    expect(Object.keys(bot.received[0]?.form ?? {})).toEqual(['payload']);
    const message = e.message(CHANNEL, ts ?? '');
    expect(payload).toEqual({
      type: 'block_actions',
      user: { id: BOB.id, username: 'bob', name: 'bob', team_id: e.team.id },
      api_app_id: e.appId,
      token: driver.verificationToken,
      container: { type: 'message', message_ts: ts, channel_id: CHANNEL, is_ephemeral: false },
      trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
      team: { id: e.team.id, domain: e.team.domain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: CHANNEL, name: 'plaid-setup' },
      message: { user: e.botUserId, type: 'message', ts, bot_id: e.botId, app_id: e.appId, text: 'Approve?', team: e.team.id, blocks: message?.blocks },
      state: { values: {} },
      response_url: expect.stringMatching(/\/actions\//),
      actions: [
        {
          action_id: 'plaid_setup.approve_production',
          block_id: message?.blocks[1]?.block_id,
          text: { type: 'plain_text', text: 'Approve' },
          value: 's-1',
          style: 'primary',
          type: 'button',
          action_ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
        },
      ],
    });

    await driver.click(BOB, { channel: CHANNEL, ts: ts ?? '' }, 'plaid_setup.approve_production', { value: 's-forged' });
    const second = bot.received[1]?.payload ?? {};
    expect((second.actions as { value: string }[])[0]?.value).toBe('s-forged');
    expect(second.trigger_id).not.toBe(payload.trigger_id);

    // The response_url replaces, then deletes, the clicked message.
    await postJson(String(payload.response_url), { replace_original: true, text: 'Approved by bob', blocks: [section('Approved by <@bob>')] });
    expect(e.message(CHANNEL, ts ?? '')).toMatchObject({ text: 'Approved by bob', updateCount: 1 });
    await postJson(String(second.response_url), { delete_original: true });
    expect(e.message(CHANNEL, ts ?? '')).toBeUndefined();

    await expect(driver.click(BOB, { channel: CHANNEL, ts: ts ?? '' }, 'plaid_setup.approve_production')).rejects.toThrow(/no message/);
  });

  test('ephemeral messages and views are clickable too', async () => {
    const e = await emulator();
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url);
    const slack = client(e);
    const { message_ts } = await slack.chat.postEphemeral({ channel: CHANNEL, user: ALICE.id, text: 'Retry?', blocks: [actions(button('retry', 's-1'))] });
    await driver.click(ALICE, { channel: CHANNEL, ts: message_ts ?? '' }, 'retry');
    expect(bot.received[0]?.payload).toMatchObject({ container: { type: 'message', message_ts, is_ephemeral: true }, response_url: expect.any(String) });
    expect(bot.received[0]?.payload?.message).toBeUndefined();
    await expect(driver.click(BOB, { channel: CHANNEL, ts: message_ts ?? '' }, 'retry')).rejects.toThrow(/sees no message/);
    await postJson(String(bot.received[0]?.payload?.response_url), { replace_original: true, text: 'Retrying' });
    expect(e.ephemeralMessages(ALICE.id)).toEqual([expect.objectContaining({ ts: message_ts, text: 'Retrying', updateCount: 1 })]);

    const { view } = await slack.views.open({ trigger_id: e.issueTrigger(ALICE.id), view: MODAL });
    await driver.click(ALICE, { viewId: view?.id ?? '' }, 'plaid_setup.help');
    const payload = bot.received[1]?.payload ?? {};
    expect(payload).toMatchObject({ type: 'block_actions', container: { type: 'view', view_id: view?.id }, actions: [{ action_id: 'plaid_setup.help', block_id: 'help', value: 's-1' }] });
    expect(payload.response_url).toBeUndefined();
    expect(payload.message).toBeUndefined();
    expect((payload.view as ViewOutput).state.values).toEqual({
      client_id: { value: { type: 'plain_text_input', value: null } },
      country_codes: { value: { type: 'checkboxes', selected_options: [] } },
      sync_mode: { value: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Daily' }, value: 'daily' } } },
      environment: { value: { type: 'static_select', selected_option: null } },
    });
    await expect(driver.click(ALICE, { viewId: view?.id ?? '' }, 'nothing')).rejects.toThrow(/no element/);
    await expect(driver.click(BOB, { viewId: view?.id ?? '' }, 'plaid_setup.help')).rejects.toThrow(/not on/);
  });

  test('submitting a modal sends view_submission with state.values in Slack’s shapes, and applies the ack', async () => {
    const e = await emulator();
    let ack: BotAnswer = {};
    const bot = await fakeBot(() => ack);
    const driver = await driverFor(e, bot.url);
    const slack = client(e);
    const { view } = await slack.views.open({ trigger_id: e.issueTrigger(ALICE.id), view: MODAL });
    const viewId = view?.id ?? '';

    await expect(driver.submit(ALICE, viewId, { country_codes: ['US'] })).rejects.toThrow(/required client_id empty/);
    await expect(driver.submit(ALICE, viewId, { client_id: 'x', nope: 'y' })).rejects.toThrow(/no input block nope/);
    await expect(driver.submit(ALICE, viewId, { client_id: 'x', country_codes: ['FR'] })).rejects.toThrow(/no option "FR"/);
    await expect(driver.submit(BOB, viewId, { client_id: 'x' })).rejects.toThrow(/not the modal on top/);
    expect(bot.received).toHaveLength(0);

    ack = { body: { response_action: 'errors', errors: { client_id: 'That is not a Plaid client id' } } };
    const refused = await driver.submit(ALICE, viewId, { client_id: 'bad', country_codes: ['US', 'GB'], environment: 'sandbox' });
    expect(refused).toMatchObject({ status: 200, json: { response_action: 'errors', errors: { client_id: 'That is not a Plaid client id' } } });
    const payload = bot.received[0]?.payload ?? {};
    expect(Object.keys(payload)).toEqual(['type', 'team', 'user', 'api_app_id', 'token', 'trigger_id', 'view', 'response_urls', 'is_enterprise_install', 'enterprise']);
    expect(payload).toMatchObject({
      type: 'view_submission',
      team: { id: e.team.id, domain: e.team.domain },
      user: { id: ALICE.id, username: 'alice', name: 'alice', team_id: e.team.id },
      api_app_id: e.appId,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
      view: { id: viewId, type: 'modal', callback_id: 'plaid_setup.credentials', private_metadata: '{"setupId":"s-1"}', hash: view?.hash, title: MODAL.title },
    });
    expect((payload.view as ViewOutput).state.values).toEqual({
      client_id: { value: { type: 'plain_text_input', value: 'bad' } },
      country_codes: {
        value: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'United States' }, value: 'US' },
            { text: { type: 'plain_text', text: 'United Kingdom' }, value: 'GB' },
          ],
        },
      },
      sync_mode: { value: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Daily' }, value: 'daily' } } },
      environment: { value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Sandbox' }, value: 'sandbox' } } },
    });
    expect(e.openViews(ALICE.id)).toEqual([expect.objectContaining({ id: viewId, errors: { client_id: 'That is not a Plaid client id' } })]);

    const raw = { value: { type: 'plain_text_input', value: 'given raw' } };
    const filled = { client_id: 'ok', country_codes: ['US'] };
    ack = { status: 500 };
    await driver.submit(ALICE, viewId, { client_id: raw, country_codes: 'GB', sync_mode: 'hourly' });
    expect((bot.received[1]?.payload?.view as ViewOutput).state.values.client_id).toEqual(raw);
    expect(e.openViews(ALICE.id)).toHaveLength(1);
    ack = { body: { response_action: 'push', view: MODAL } };
    await expect(driver.submit(ALICE, viewId, filled)).rejects.toThrow(/"push" is not emulated/);
    ack = {};
    await driver.submit(ALICE, viewId, filled);
    expect(e.openViews(ALICE.id)).toEqual([]);
  });

  test('replayLast resends the same bytes; forged and stale requests fail Bolt’s verification', async () => {
    const e = await emulator();
    const bot = await fakeBot();
    const driver = await driverFor(e, bot.url);
    await driver.slash(ALICE, 'start', { channel: CHANNEL });
    const replay = await driver.replayLast();
    expect(replay.status).toBe(200);
    const [first, again] = bot.received;
    expect(again?.raw).toBe(first?.raw);
    expect(again?.headers['x-slack-signature']).toBe(first?.headers['x-slack-signature']);
    expect(again?.headers['x-slack-request-timestamp']).toBe(first?.headers['x-slack-request-timestamp']);

    const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
    const forged = await driver.send(body, 'application/x-www-form-urlencoded', { forgeSignature: true });
    expect(forged.status).toBe(401);
    expect(bot.received[2]?.verification).toMatch(/signature mismatch/);

    const stale = await driver.send(body, 'application/x-www-form-urlencoded', { timestampOffsetSeconds: -600 });
    expect(stale.status).toBe(401);
    const staleHeaders = bot.received[3]?.headers ?? {};
    expect(Number(staleHeaders['x-slack-request-timestamp'])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 599);
    expect(bot.received[3]?.verification).toMatch(/stale/);
    // Only the age is wrong: the signature matches the old timestamp.
    expect(staleHeaders['x-slack-signature']).toBe(slackSignature(SIGNING_SECRET, Number(staleHeaders['x-slack-request-timestamp']), body));

    const fresh = await driver.send(body, 'application/x-www-form-urlencoded');
    expect(fresh.status).toBe(200);
    expect((await driver.replayLast()).status).toBe(200);
    expect(bot.received.at(-1)?.raw).toBe(body);
  });
});

describe('Slack emulator and driver with a Bolt app', () => {
  test('a slash command opens a modal, a bad submission is refused, a good one closes it, a click replaces the message', async () => {
    const e = await emulator();
    const app = new App({ token: BOT_TOKEN, signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: e.apiUrl, retryConfig: { retries: 0 } } });
    app.command('/plaid-setup', async ({ ack, body, client: web }) => {
      await ack();
      await web.views.open({ trigger_id: body.trigger_id, view: MODAL });
    });
    app.view('plaid_setup.credentials', async ({ ack, view, body, client: web }) => {
      const clientId = view.state.values.client_id?.value?.value;
      if (clientId !== 'client-123') {
        await ack({ response_action: 'errors', errors: { client_id: 'Not a Plaid client id' } });
        return;
      }
      await ack();
      await web.chat.postMessage({
        channel: CHANNEL,
        text: `Credentials saved by ${body.user.name}`,
        blocks: [section('Saved'), actions(button('plaid_setup.approve', 's-1', 'Approve'))],
      });
    });
    app.action('plaid_setup.approve', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `Approved by ${body.user.id}` });
    });
    const server = (await app.start(0)) as Server;
    started.push({ close: () => app.stop().then(() => undefined) });
    const driver = await driverFor(e, `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);

    const slash = await driver.slash(ALICE, 'start', { channel: CHANNEL });
    expect(slash).toMatchObject({ status: 200, body: '' });
    const deadline = Date.now() + 5000;
    while (e.openViews(ALICE.id).length === 0 && Date.now() < deadline) await sleep(10);
    const [modal] = e.openViews(ALICE.id);
    expect(modal?.callbackId).toBe('plaid_setup.credentials');

    const refused = await driver.submit(ALICE, modal?.id ?? '', { client_id: 'nope', country_codes: ['US'] });
    expect(refused.json).toEqual({ response_action: 'errors', errors: { client_id: 'Not a Plaid client id' } });
    expect(e.openViews(ALICE.id)[0]?.errors).toEqual({ client_id: 'Not a Plaid client id' });

    const accepted = await driver.submit(ALICE, modal?.id ?? '', { client_id: 'client-123', country_codes: ['US'] });
    expect(accepted.status).toBe(200);
    expect(e.openViews(ALICE.id)).toEqual([]);
    while (e.messages(CHANNEL).length === 0 && Date.now() < deadline) await sleep(10);
    const [posted] = e.messages(CHANNEL);
    expect(posted?.text).toBe('Credentials saved by alice');

    await driver.click(BOB, { channel: CHANNEL, ts: posted?.ts ?? '' }, 'plaid_setup.approve');
    while (driver.responses.length === 0 && Date.now() < deadline) await sleep(10);
    expect(driver.responses[0]).toMatchObject({ status: 200, body: { replace_original: true, text: `Approved by ${BOB.id}` } });
    expect(e.message(CHANNEL, posted?.ts ?? '')).toMatchObject({ text: `Approved by ${BOB.id}`, updateCount: 1, origin: 'api' });

    const forged = await driver.send(new URLSearchParams({ command: '/plaid-setup', text: 'start' }).toString(), 'application/x-www-form-urlencoded', {
      forgeSignature: true,
    });
    expect(forged.status).toBe(401);
    expect(e.callsTo('auth.test').length).toBeGreaterThan(0);
  });
});

interface Frame {
  opcode: number;
  payload: Buffer;
}

/** A bare WebSocket client (RFC 6455): the opening handshake over node:http, masked frames out, unmasked frames in. */
interface RawSocket {
  frame(): Promise<Frame>;
  /** The next text message, parsed. */
  message(): Promise<Record<string, unknown>>;
  /** A frame; fin false starts or continues a fragmented message. */
  send(opcode: number, payload: Buffer, fin?: boolean): void;
  json(message: unknown): void;
  /** Raw bytes, for frames a client must not send. */
  write(bytes: Buffer): void;
  /** Settles when the server has closed the TCP connection. */
  ended: Promise<void>;
}

const OP = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa };

function maskedFrame(opcode: number, payload: Buffer, fin: boolean): Buffer {
  const mask = randomBytes(4);
  const length = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), length, mask, payload.map((byte, i) => byte ^ mask.readUInt8(i % 4))]);
}

/** Connects to a Socket Mode URL; rejects with "HTTP <status>" when the server refuses the upgrade. */
async function rawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const key = randomBytes(16).toString('base64');
  const { socket, head, accept } = await new Promise<{ socket: Duplex; head: Buffer; accept: unknown }>((resolve, reject) => {
    const handshake = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13', ...headers };
    const req = httpRequest(url.replace(/^ws:/, 'http:'), { agent: false, headers: handshake });
    req.on('upgrade', (res, upgraded, rest) => resolve({ socket: upgraded, head: rest, accept: res.headers['sec-websocket-accept'] }));
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`HTTP ${res.statusCode ?? 0}`));
    });
    req.on('error', reject);
    req.end();
  });
  started.push({ close: async () => void socket.destroy() });
  expect(accept).toBe(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));

  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  let buffered = head;
  const parse = (): void => {
    for (;;) {
      if (buffered.length < 2) return;
      let length = buffered.readUInt8(1) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      }
      if (buffered.length < offset + length) return;
      frames.push({ opcode: buffered.readUInt8(0) & 0x0f, payload: buffered.subarray(offset, offset + length) });
      buffered = buffered.subarray(offset + length);
      wake?.();
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    parse();
  });
  parse();
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const frame = async (): Promise<Frame> => {
    while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return frames.shift() as Frame;
  };
  const send = (opcode: number, payload: Buffer, fin = true): void => void socket.write(maskedFrame(opcode, payload, fin));
  return {
    frame,
    message: async () => {
      const next = await frame();
      expect(next.opcode).toBe(OP.text);
      return JSON.parse(next.payload.toString('utf8')) as Record<string, unknown>;
    },
    send,
    json: (message) => send(OP.text, Buffer.from(JSON.stringify(message))),
    write: (bytes) => void socket.write(bytes),
    ended,
  };
}

async function openUrl(e: SlackEmulator): Promise<string> {
  const { url } = await new WebClient(APP_TOKEN, { slackApiUrl: e.apiUrl, logger: quiet, retryConfig: { retries: 0 } }).apps.connections.open();
  return url ?? '';
}

async function socketDriver(e: SlackEmulator, ackTimeoutMs = 3000): Promise<SocketModeDriver> {
  const driver = await SocketModeDriver.start({ emulator: e, ackTimeoutMs });
  started.push(driver);
  return driver;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Slack emulator: Socket Mode', () => {
  test('apps.connections.open answers a WebSocket URL for the app-level token only', async () => {
    const e = await emulator({ appToken: APP_TOKEN });
    const url = await openUrl(e);
    expect(url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/link/\\?ticket=[0-9a-f-]{36}&app_id=${e.appId}$`));
    expect(e.callsTo('apps.connections.open')).toEqual([expect.objectContaining({ token: APP_TOKEN, ok: true, response: { ok: true, url } })]);

    expect(await slackError(client(e).apps.connections.open())).toEqual({ error: 'not_allowed_token_type' });
    const asApp = new WebClient(APP_TOKEN, { slackApiUrl: e.apiUrl, logger: quiet, retryConfig: { retries: 0 } });
    expect(await slackError(asApp.chat.postMessage({ channel: CHANNEL, text: 'x' }))).toEqual({ error: 'not_allowed_token_type' });
    const stranger = new WebClient('xapp-1-A0OTHER-1-other', { slackApiUrl: e.apiUrl, logger: quiet, retryConfig: { retries: 0 } });
    expect(await slackError(stranger.apps.connections.open())).toEqual({ error: 'invalid_auth' });
    const anonymous = await raw(e, 'apps.connections.open', '', {});
    expect(anonymous.json).toEqual({ ok: false, error: 'not_authed' });

    // Without an app token there is no Socket Mode: the bot token is still the wrong kind.
    const httpOnly = await emulator();
    expect(await slackError(client(httpOnly).apps.connections.open())).toEqual({ error: 'not_allowed_token_type' });
    await expect(SocketModeDriver.start({ emulator: httpOnly })).rejects.toThrow(/appToken/);
    expect(() => httpOnly.disconnectSockets()).toThrow(/appToken/);
    await expect(SlackEmulator.start({ botToken: BOT_TOKEN, appToken: BOT_TOKEN })).rejects.toThrow(RangeError);
  });

  test('connecting gets hello; a URL is good for one connection; bad handshakes are refused; pings are answered and closes echoed', async () => {
    const e = await emulator({ appToken: APP_TOKEN });
    const url = await openUrl(e);
    const first = await rawSocket(url);
    expect(await first.message()).toEqual({
      type: 'hello',
      connection_info: { app_id: e.appId },
      num_connections: 1,
      debug_info: { host: expect.any(String), started: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/), build_number: expect.any(Number), approximate_connection_time: expect.any(Number) },
    });
    await expect(rawSocket(url)).rejects.toThrow('HTTP 403');
    await expect(rawSocket(url.replace('/link/', '/elsewhere/'))).rejects.toThrow('HTTP 404');

    // A handshake the server refuses leaves the URL usable.
    const secondUrl = await openUrl(e);
    await expect(rawSocket(secondUrl, { 'Sec-WebSocket-Key': 'short' })).rejects.toThrow('HTTP 400');
    const second = await rawSocket(secondUrl);
    expect(await second.message()).toMatchObject({ type: 'hello', num_connections: 2 });
    expect(e.socketConnections).toBe(2);

    first.send(OP.ping, Buffer.from('are you there'));
    expect(await first.frame()).toEqual({ opcode: OP.pong, payload: Buffer.from('are you there') });
    const goodbye = Buffer.from([0x03, 0xe8]);
    first.send(OP.close, goodbye);
    expect(await first.frame()).toEqual({ opcode: OP.close, payload: goodbye });
    await first.ended;
    expect(e.socketConnections).toBe(1);

    // A client frame must be masked: an unmasked one fails the connection with 1002.
    const careless = await rawSocket(await openUrl(e));
    await careless.message();
    careless.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    const failed = await careless.frame();
    expect({ opcode: failed.opcode, code: failed.payload.readUInt16BE(0) }).toEqual({ opcode: OP.close, code: 1002 });
    await careless.ended;
    expect(e.socketConnections).toBe(1);
  });

  test('the Socket Mode driver wraps each payload in an envelope and resolves with its ack', async () => {
    const e = await emulator({ appToken: APP_TOKEN });
    const bot = await rawSocket(await openUrl(e));
    await bot.message();
    const driver = await socketDriver(e, 300);
    await driver.connected();

    const slash = driver.slash(ALICE, 'start acme & co', { channel: CHANNEL });
    const envelope = await bot.message();
    expect(Object.keys(envelope)).toEqual(['payload', 'envelope_id', 'type', 'accepts_response_payload']);
    expect(envelope).toMatchObject({ envelope_id: expect.stringMatching(UUID), type: 'slash_commands', accepts_response_payload: true });
    // The slash command's form fields, as an object of strings.
    expect(envelope.payload).toEqual({
      token: driver.verificationToken,
      team_id: e.team.id,
      team_domain: e.team.domain,
      channel_id: CHANNEL,
      channel_name: 'plaid-setup',
      user_id: ALICE.id,
      user_name: 'alice',
      command: '/plaid-setup',
      text: 'start acme & co',
      api_app_id: e.appId,
      is_enterprise_install: 'false',
      response_url: expect.stringMatching(/\/commands\//),
      trigger_id: expect.stringMatching(/^\d+\.\d+\.[0-9a-f]+$/),
    });
    bot.json({ envelope_id: 'not-pending', payload: { text: 'ignored' } });
    bot.send(OP.text, Buffer.from('not JSON'));
    bot.json({ envelope_id: envelope.envelope_id, payload: { text: 'Working on it' } });
    const acked = await slash;
    expect(acked).toMatchObject({ status: 200, body: '{"text":"Working on it"}', json: { text: 'Working on it' }, responseUrl: (envelope.payload as { response_url: string }).response_url });
    expect(acked.ms).toBeGreaterThan(0);
    expect(e.ephemeralMessages(ALICE.id)).toEqual([expect.objectContaining({ text: 'Working on it', origin: 'ack' })]);

    // Slash command responses go to the response_url as in HTTP mode.
    await postJson(acked.responseUrl, { response_type: 'in_channel', text: 'Started' });
    expect(driver.responses).toEqual([expect.objectContaining({ url: acked.responseUrl, status: 200 })]);

    const { ts = '' } = await client(e).chat.postMessage({ channel: CHANNEL, text: 'Approve?', blocks: [actions(button('approve', 's-1'))] });
    const click = driver.click(BOB, { channel: CHANNEL, ts }, 'approve');
    const clicked = await bot.message();
    expect(clicked).toMatchObject({ type: 'interactive', accepts_response_payload: true, payload: { type: 'block_actions', user: { id: BOB.id }, actions: [{ action_id: 'approve' }] } });
    // An ack may come in fragments, with a ping between them (RFC 6455 §5.4).
    const ack = Buffer.from(JSON.stringify({ envelope_id: clicked.envelope_id }));
    bot.send(OP.text, ack.subarray(0, 10), false);
    bot.send(OP.ping, Buffer.from('meanwhile'));
    bot.send(OP.continuation, ack.subarray(10));
    expect(await bot.frame()).toEqual({ opcode: OP.pong, payload: Buffer.from('meanwhile') });
    expect(await click).toEqual({ status: 200, body: '', ms: expect.any(Number) });

    // An ack with an empty payload is no response; none within the timeout is status 0 and leaves the modal open.
    const { view } = await client(e).views.open({ trigger_id: e.issueTrigger(ALICE.id), view: MODAL });
    const filled = { client_id: 'client-123', country_codes: ['US'] };
    const unanswered = driver.submit(ALICE, view?.id ?? '', filled);
    const submitted = await bot.message();
    expect(submitted).toMatchObject({ type: 'interactive', payload: { type: 'view_submission', view: { id: view?.id } } });
    expect(await unanswered).toEqual({ status: 0, body: '', ms: expect.any(Number) });
    expect(e.openViews(ALICE.id)).toHaveLength(1);
    bot.json({ envelope_id: submitted.envelope_id, payload: {} });
    const answered = driver.submit(ALICE, view?.id ?? '', filled);
    bot.json({ envelope_id: (await bot.message()).envelope_id, payload: {} });
    expect(await answered).toMatchObject({ status: 200, body: '' });
    expect(e.openViews(ALICE.id)).toEqual([]);
  });

  test('disconnect messages retire connections; with none the driver refuses to deliver; closing sends 1001', async () => {
    const e = await emulator({ appToken: APP_TOKEN });
    const driver = await socketDriver(e);
    await expect(driver.connected({ timeoutMs: 30 })).rejects.toThrow(/no Socket Mode connection within 30 ms/);
    const waiting = driver.connected();
    const bot = await rawSocket(await openUrl(e));
    await waiting;
    await bot.message();

    expect(e.disconnectSockets('warning')).toBe(1);
    expect(await bot.message()).toEqual({ type: 'disconnect', reason: 'warning', debug_info: { host: expect.any(String) } });
    await expect(driver.slash(ALICE, 'status')).rejects.toThrow(/no Socket Mode connection/);
    expect(e.disconnectSockets('link_disabled')).toBe(0);

    const closed = e.close();
    const closing = await bot.frame();
    expect({ opcode: closing.opcode, code: closing.payload.readUInt16BE(0) }).toEqual({ opcode: OP.close, code: 1001 });
    bot.send(OP.close, closing.payload.subarray(0, 2));
    await closed;
    await bot.ended;
  });
});
