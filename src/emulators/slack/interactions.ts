/**
 * What a person does in Slack, played towards the bot whatever carries it: slash commands,
 * button clicks and modal submissions, shaped as Slack sends them (payloads.ts), each with a
 * fresh trigger_id from the emulator, and the response_urls it hands out (response-urls.ts).
 * What Slack's client then does with the bot's answers is applied to the emulator: a slash
 * command's ack body becomes a message (message-responses.ts) and a submission's ack closes,
 * updates or keeps the modal (submission-acks.ts). A transport (driver.ts: HTTP to a Request
 * URL; socket-driver.ts: Socket Mode) delivers each request and reports the bot's ack.
 * Slack retries only Events API deliveries (docs.slack.dev/apis/events-api#retries), so
 * nothing here is retried.
 */
import { findAction } from './block-kit';
import { emulatorState, type SlackEmulator } from './emulator';
import { actionTs, newVerificationToken } from './ids';
import type { JsonObject } from './json';
import { applyMessageResponse, type ResponseTarget } from './message-responses';
import { messageJson } from './messages';
import type { MethodContext } from './methods';
import { blockActionsPayload, slashCommandPayload, viewSubmissionPayload, type ClickSource, type Interaction } from './payloads';
import { RESPONSE_URL_TTL_MS, ResponseUrlServer, type ResponseUrlPost } from './response-urls';
import { applySubmissionAck } from './submission-acks';
import type { EmulatedChannel, EmulatedTeam, EmulatedUser } from './types';
import { viewState, type SubmittedValue } from './view-state';

const DEFAULT_COMMAND = '/plaid-setup';

export interface DriverOptions {
  emulator: SlackEmulator;
  /** How long a response_url takes posts; Slack's is 30 minutes. */
  responseUrlTtlMs?: number;
}

export interface Delivery {
  /**
   * The HTTP status of the bot's response; in Socket Mode 200 when the bot acknowledged the
   * envelope and 0 when it did not in time.
   */
  status: number;
  /** The response body; in Socket Mode the ack's payload as JSON text ('' for none or `{}`). */
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  /** Wall time until the ack (the HTTP response, or the Socket Mode ack) was received. */
  ms: number;
  /** Set when Slack would refuse what the ack asked for (a message or a view that breaks its limits). */
  rejected?: { error: string; messages?: string[] };
}

/** A request to the bot before its transport encodes it; the types are Socket Mode's envelope types. */
export type BotRequest = { type: 'slash_commands'; payload: Record<string, string> } | { type: 'interactive'; payload: JsonObject };

export abstract class InteractionDriver {
  /** The deprecated verification token sent in every payload. */
  readonly verificationToken = newVerificationToken();
  protected readonly emulator: SlackEmulator;
  private readonly state: MethodContext;
  private readonly team: EmulatedTeam;
  private readonly appId: string;

  protected constructor(
    options: DriverOptions,
    private readonly responseUrls: ResponseUrlServer,
  ) {
    this.emulator = options.emulator;
    this.state = emulatorState(options.emulator);
    this.team = options.emulator.team;
    this.appId = options.emulator.appId;
  }

  /** The response_url server a driver starts with, applying posts to the emulator. */
  protected static startResponseUrls(options: DriverOptions): Promise<ResponseUrlServer> {
    const state = emulatorState(options.emulator);
    return ResponseUrlServer.start('127.0.0.1', options.responseUrlTtlMs ?? RESPONSE_URL_TTL_MS, (target, body) =>
      applyMessageResponse(body, target, 'response_url', state),
    );
  }

  /** What the bot posted to the response_urls this driver handed out, accepted or not. */
  get responses(): readonly ResponseUrlPost[] {
    return this.responseUrls.posts;
  }

  /** Types `command text` in a channel (by default the user's DM with the app). */
  async slash(user: EmulatedUser, text: string, options: { channel?: string; command?: string } = {}): Promise<Delivery & { responseUrl: string }> {
    const actor = this.actor(user);
    const channel = this.channel(options.channel ?? this.emulator.dmChannel(user.id));
    const target: ResponseTarget = { channel: channel.id, userId: user.id };
    const responseUrl = this.responseUrls.issue('commands', this.team.id, target);
    const payload = slashCommandPayload(actor, { channel, command: options.command ?? DEFAULT_COMMAND, text, responseUrl });
    const delivery = await this.deliver({ type: 'slash_commands', payload });
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
    return this.deliver({ type: 'interactive', payload: blockActionsPayload(actor, source, { ...found, value, actionTs: actionTs() }) });
  }

  /**
   * Submits the modal on the user's screen. `values` maps block_id to the input's value
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
    const delivery = await this.deliver({ type: 'interactive', payload });
    const outcome = applySubmissionAck(this.state.views, viewId, delivery.status, delivery.json);
    if (!outcome.ok) delivery.rejected = { error: outcome.error, ...(outcome.messages ? { messages: outcome.messages } : {}) };
    return delivery;
  }

  close(): Promise<void> {
    return this.responseUrls.close();
  }

  /** Sends the request to the bot and reports its ack. */
  protected abstract deliver(request: BotRequest): Promise<Delivery>;

  private actor(user: EmulatedUser): Interaction {
    if (!this.state.workspace.user(user.id)) throw new Error(`Slack driver: ${user.id} is not a user of the emulated workspace`);
    return { user, team: this.team, appId: this.appId, verificationToken: this.verificationToken, triggerId: this.emulator.issueTrigger(user.id) };
  }

  private channel(id: string): EmulatedChannel {
    const channel = this.emulator.channel(id);
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
}
