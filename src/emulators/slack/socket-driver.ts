/**
 * Plays Slack's side towards a bot in Socket Mode (docs.slack.dev/apis/events-api/using-socket-mode;
 * interactions.ts has what is sent and what Slack does with the answers): each request goes out
 * on the bot's WebSocket (socket-mode.ts) as an envelope `{ payload, envelope_id, type,
 * accepts_response_payload }` (type slash_commands with the command's fields as an object, or
 * interactive with the interaction payload; accepts_response_payload true, as in the page's
 * examples of both), and its delivery resolves when the bot's ack for that envelope_id arrives:
 * status 200, with the ack's payload as body and json. Slack waits 3 seconds for an interaction
 * to be acknowledged (docs.slack.dev/interactivity/handling-user-interaction); with no ack by then
 * the delivery resolves with status 0, which leaves a modal open as a failed HTTP ack does.
 * Nothing is signed: the app token that opened the WebSocket authenticates it. Bolt answers a
 * bare ack() with `payload: {}` (@slack/socket-mode SocketModeClient.send), taken here, as an
 * empty HTTP 200 body is, as no response.
 */
import { performance } from 'node:perf_hooks';
import { emulatorState } from './emulator';
import { newEnvelopeId } from './ids';
import { InteractionDriver, type BotRequest, type Delivery, type DriverOptions } from './interactions';
import { isJsonObject } from './json';
import type { ResponseUrlServer } from './response-urls';
import type { SocketModeHub } from './socket-mode';

const SLACK_ACK_TIMEOUT_MS = 3000;
const CONNECT_TIMEOUT_MS = 5000;

export interface SocketModeDriverOptions extends DriverOptions {
  /** How long the bot has to acknowledge an envelope; Slack's is 3 s. */
  ackTimeoutMs?: number;
}

export class SocketModeDriver extends InteractionDriver {
  private constructor(
    private readonly hub: SocketModeHub,
    private readonly ackTimeoutMs: number,
    options: DriverOptions,
    responseUrls: ResponseUrlServer,
  ) {
    super(options, responseUrls);
  }

  static async start(options: SocketModeDriverOptions): Promise<SocketModeDriver> {
    const hub = emulatorState(options.emulator).socketMode;
    if (!hub) throw new RangeError('Slack driver: Socket Mode needs an emulator started with an appToken');
    const ackTimeoutMs = options.ackTimeoutMs ?? SLACK_ACK_TIMEOUT_MS;
    if (!Number.isFinite(ackTimeoutMs) || ackTimeoutMs <= 0) throw new RangeError(`Slack driver: ackTimeoutMs must be a positive number, not ${ackTimeoutMs}`);
    return new SocketModeDriver(hub, ackTimeoutMs, options, await InteractionDriver.startResponseUrls(options));
  }

  /**
   * Resolves once the bot has a Socket Mode connection (at once after Bolt's app.start(), which
   * waits for hello); rejects when it has none within timeoutMs (5 s by default).
   */
  connected(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.hub.connected(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
  }

  protected async deliver(request: BotRequest): Promise<Delivery> {
    const started = performance.now();
    const ack = await this.hub.deliver(
      { payload: request.payload, envelope_id: newEnvelopeId(), type: request.type, accepts_response_payload: true },
      this.ackTimeoutMs,
    );
    const ms = performance.now() - started;
    if (!ack) return { status: 0, body: '', ms };
    const { payload } = ack;
    if (payload === undefined || (isJsonObject(payload) && Object.keys(payload).length === 0)) return { status: 200, body: '', ms };
    return { status: 200, body: JSON.stringify(payload), json: payload, ms };
  }
}
