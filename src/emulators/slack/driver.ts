/**
 * Plays Slack's side towards the bot: sends slash commands, button clicks and modal
 * submissions to its Request URL, signed and shaped as Slack sends them (payloads.ts,
 * signing.ts), each with a fresh trigger_id from the emulator, and serves the response_urls it
 * hands out (response-urls.ts). What Slack's client then does with the bot's answers is applied
 * to the emulator: a slash command's ack body becomes a message (message-responses.ts) and a
 * submission's ack closes, updates or keeps the modal (submission-acks.ts).
 * Slack retries only Events API deliveries (docs.slack.dev/apis/events-api#retries), so nothing
 * here is retried; replayLast() models a repeated delivery. Requests go out with Slack's
 * Content-Type (exactly application/x-www-form-urlencoded, which Bolt's HTTPReceiver compares
 * literally) and its User-Agent, "Slackbot 1.0 (+https://api.slack.com/robots)" (as request
 * logs show it, e.g. chiefonboarding/ChiefOnboarding#509).
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { findAction } from './block-kit';
import { emulatorState, type SlackEmulator } from './emulator';
import { actionTs, newVerificationToken } from './ids';
import { applyMessageResponse, type ResponseTarget } from './message-responses';
import { messageJson } from './messages';
import type { MethodContext } from './methods';
import {
  blockActionsPayload,
  FORM_CONTENT_TYPE,
  interactionBody,
  slashCommandBody,
  viewSubmissionPayload,
  type ClickSource,
  type Interaction,
} from './payloads';
import { RESPONSE_URL_TTL_MS, ResponseUrlServer, type ResponseUrlPost } from './response-urls';
import { signatureHeaders } from './signing';
import { applySubmissionAck } from './submission-acks';
import type { EmulatedChannel, EmulatedTeam, EmulatedUser } from './types';
import { viewState, type SubmittedValue } from './view-state';

export const DEFAULT_COMMAND = '/plaid-setup';
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

export interface SlackDriverOptions {
  /** The bot's Request URL, e.g. http://127.0.0.1:3000/slack/events. */
  botUrl: string;
  signingSecret: string;
  emulator: SlackEmulator;
  /** Override the emulator's team and app ids in payloads (to test a bot configured for another app). */
  teamId?: string;
  appId?: string;
  /** Where the response_url server listens; defaults to 127.0.0.1. */
  host?: string;
  /** How long a response_url takes posts; Slack's is 30 minutes. */
  responseUrlTtlMs?: number;
}

export interface Delivery {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  /** Wall time until the HTTP response (the ack) was received. */
  ms: number;
  /** Set when Slack would refuse what the ack asked for (a message or a view that breaks its limits). */
  rejected?: { error: string; messages?: string[] };
}

interface SentRequest {
  body: Buffer;
  headers: Record<string, string>;
}

export class SlackDriver {
  /** The deprecated verification token sent in every body. */
  readonly verificationToken = newVerificationToken();
  private readonly state: MethodContext;
  private readonly team: EmulatedTeam;
  private readonly appId: string;
  private last: SentRequest | undefined;

  private constructor(
    private readonly options: SlackDriverOptions,
    private readonly responseUrls: ResponseUrlServer,
  ) {
    this.state = emulatorState(options.emulator);
    this.team = { ...options.emulator.team, ...(options.teamId ? { id: options.teamId } : {}) };
    this.appId = options.appId ?? options.emulator.appId;
  }

  static async start(options: SlackDriverOptions): Promise<SlackDriver> {
    const url = new URL(options.botUrl);
    if (url.protocol !== 'http:') throw new RangeError(`Slack driver: botUrl must be an http:// loopback URL, not ${options.botUrl}`);
    if (!options.signingSecret) throw new RangeError('Slack driver: signingSecret is required');
    const state = emulatorState(options.emulator);
    const responseUrls = await ResponseUrlServer.start(options.host ?? '127.0.0.1', options.responseUrlTtlMs ?? RESPONSE_URL_TTL_MS, (target, body) =>
      applyMessageResponse(body, target, 'response_url', state),
    );
    return new SlackDriver(options, responseUrls);
  }

  /** What the bot posted to the response_urls this driver handed out, accepted or not. */
  get responses(): readonly ResponseUrlPost[] {
    return this.responseUrls.posts;
  }

  /** Types `command text` in a channel (by default the user's DM with the app). */
  async slash(user: EmulatedUser, text: string, options: { channel?: string; command?: string } = {}): Promise<Delivery & { responseUrl: string }> {
    const actor = this.actor(user);
    const channel = this.channel(options.channel ?? this.options.emulator.dmChannel(user.id));
    const target: ResponseTarget = { channel: channel.id, userId: user.id };
    const responseUrl = this.responseUrls.issue('commands', this.team.id, target);
    const body = slashCommandBody(actor, { channel, command: options.command ?? DEFAULT_COMMAND, text, responseUrl });
    const delivery = await this.send(body, FORM_CONTENT_TYPE);
    // Slack shows a slash command's ack body as its first response (plain text or a message).
    if (delivery.status === 200 && delivery.body !== '') {
      const outcome = applyMessageResponse(delivery.json ?? { text: delivery.body }, target, 'ack', this.state);
      if (!outcome.ok) delivery.rejected = { error: outcome.error, ...(outcome.messages ? { messages: outcome.messages } : {}) };
    }
    return { ...delivery, responseUrl };
  }

  /** Clicks the button with this action_id in a message (or ephemeral message) or in an open view. */
  async click(user: EmulatedUser, where: { channel: string; ts: string } | { viewId: string }, actionId: string, options: { value?: string } = {}): Promise<Delivery> {
    const actor = this.actor(user);
    const { source, blocks } = 'viewId' in where ? this.viewSource(user, where.viewId) : this.messageSource(user, where.channel, where.ts);
    const found = findAction(blocks, actionId);
    if (!found) throw new Error(`Slack driver: no element with action_id ${actionId} there`);
    if (found.element.type !== 'button') throw new Error(`Slack driver: ${actionId} is a ${String(found.element.type)}; only buttons can be clicked`);
    const value = options.value ?? (typeof found.element.value === 'string' ? found.element.value : undefined);
    const payload = blockActionsPayload(actor, source, { ...found, value, actionTs: actionTs() });
    return this.send(interactionBody(payload), FORM_CONTENT_TYPE);
  }

  /**
   * Submits the modal on top of the user's stack. `values` maps block_id to the input's value
   * (a string, or strings for checkboxes and multi selects, matched to option values) or to
   * Slack's own form (action_id → value object); inputs not given keep their initial values.
   * Throws, as the Slack client refuses to submit, when a required input is empty.
   */
  async submit(user: EmulatedUser, viewId: string, values: Readonly<Record<string, SubmittedValue>>): Promise<Delivery> {
    const actor = this.actor(user);
    const view = this.state.views.find(viewId);
    if (!view || view.type !== 'modal' || this.state.views.top(user.id)?.id !== viewId) {
      throw new Error(`Slack driver: ${viewId} is not the modal on top of ${user.id}'s screen`);
    }
    const output = this.state.views.output(view);
    const state = viewState(output.blocks, values);
    if (state.emptyRequired.length > 0) throw new Error(`Slack driver: the Slack client would not submit: required ${state.emptyRequired.join(', ')} empty`);
    const payload = viewSubmissionPayload(actor, { ...output, state: { values: state.values } });
    const delivery = await this.send(interactionBody(payload), FORM_CONTENT_TYPE);
    const outcome = applySubmissionAck(this.state.views, viewId, delivery.status, delivery.json);
    if (!outcome.ok) delivery.rejected = { error: outcome.error, ...(outcome.messages ? { messages: outcome.messages } : {}) };
    return delivery;
  }

  /** Sends the last request again byte for byte: same body, timestamp and signature. */
  replayLast(): Promise<Delivery> {
    if (!this.last) throw new Error('Slack driver: nothing sent yet');
    return this.deliver(this.last);
  }

  /**
   * Sends a raw body signed as Slack would; `forgeSignature` signs it with another secret,
   * `timestampOffsetSeconds` moves the timestamp from now (-600: ten minutes old) and signs that.
   */
  send(body: string, contentType: string, options: { forgeSignature?: boolean; timestampOffsetSeconds?: number } = {}): Promise<Delivery> {
    const timestamp = Math.floor(Date.now() / 1000) + (options.timestampOffsetSeconds ?? 0);
    const secret = options.forgeSignature ? `${this.options.signingSecret}-forged` : this.options.signingSecret;
    const bytes = Buffer.from(body, 'utf8');
    this.last = {
      body: bytes,
      headers: { 'Content-Type': contentType, 'User-Agent': SLACK_USER_AGENT, Accept: 'application/json,*/*', ...signatureHeaders(secret, timestamp, bytes) },
    };
    return this.deliver(this.last);
  }

  close(): Promise<void> {
    return this.responseUrls.close();
  }

  private actor(user: EmulatedUser): Interaction {
    if (!this.state.workspace.user(user.id)) throw new Error(`Slack driver: ${user.id} is not a user of the emulated workspace`);
    return { user, team: this.team, appId: this.appId, verificationToken: this.verificationToken, triggerId: this.options.emulator.issueTrigger(user.id) };
  }

  private channel(id: string): EmulatedChannel {
    const channel = this.options.emulator.channel(id);
    if (!channel) throw new Error(`Slack driver: no channel ${id} in the emulated workspace`);
    return channel;
  }

  private viewSource(user: EmulatedUser, viewId: string): { source: ClickSource; blocks: readonly unknown[] } {
    const view = this.state.views.find(viewId);
    if (!view || view.userId !== user.id) throw new Error(`Slack driver: view ${viewId} is not on ${user.id}'s screen`);
    const output = this.state.views.output(view);
    const { values } = viewState(output.blocks, {});
    return { source: { kind: 'view', view: { ...output, state: { values } } }, blocks: output.blocks };
  }

  private messageSource(user: EmulatedUser, channelId: string, ts: string): { source: ClickSource; blocks: readonly unknown[] } {
    const channel = this.channel(channelId);
    const message = this.state.messages.find(channelId, ts);
    const ephemeral = message ? undefined : this.state.messages.findEphemeral(channelId, ts);
    if (!message && ephemeral?.user !== user.id) throw new Error(`Slack driver: ${user.id} sees no message ${ts} in ${channelId}`);
    const blocks = (message ?? ephemeral)?.blocks ?? [];
    const target: ResponseTarget = { channel: channelId, userId: user.id, source: { ts, ephemeral: !message } };
    const source: ClickSource = {
      kind: 'message',
      channel,
      ts,
      ephemeral: !message,
      ...(message ? { message: messageJson(message, this.state.workspace.team.id) } : {}),
      state: viewState(blocks, {}).values,
      responseUrl: this.responseUrls.issue('actions', this.team.id, target),
    };
    return { source, blocks };
  }

  private deliver(sent: SentRequest): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      // agent: false: one connection per delivery, so nothing lingers after close().
      const req = httpRequest(this.options.botUrl, { method: 'POST', headers: { ...sent.headers, 'Content-Length': String(sent.body.length) }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body, ...parsedJson(body), ms: performance.now() - started });
        });
      });
      req.on('error', reject);
      req.end(sent.body);
    });
  }
}

function parsedJson(body: string): { json?: unknown } {
  if (body === '') return {};
  try {
    return { json: JSON.parse(body) as unknown };
  } catch {
    return {};
  }
}
