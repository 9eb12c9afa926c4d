/**
 * Plays Slack's side towards a bot's Request URL (interactions.ts has what is sent and what
 * Slack does with the answers): each request is a form body signed as Slack signs it
 * (signing.ts); replayLast() models a captured request replayed, redeliver() Slack sending
 * a request again (signed afresh, with its retry headers). Requests go out with Slack's
 * Content-Type (exactly application/x-www-form-urlencoded, which Bolt's HTTPReceiver compares
 * literally) and its User-Agent, "Slackbot 1.0 (+https://api.slack.com/robots)" (as request
 * logs show it, e.g. chiefonboarding/ChiefOnboarding#509).
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { InteractionDriver, type BotRequest, type Delivery, type DriverOptions } from './interactions';
import { FORM_CONTENT_TYPE, formBody, interactionBody } from './payloads';
import type { ResponseUrlServer } from './response-urls';
import { signatureHeaders } from './signing';

const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

export interface SlackDriverOptions extends DriverOptions {
  /** The bot's Request URL, e.g. http://127.0.0.1:3000/slack/events. */
  botUrl: string;
  signingSecret: string;
}

export interface SentRequest {
  body: Buffer;
  headers: Record<string, string>;
}

export class SlackDriver extends InteractionDriver {
  private last: SentRequest | undefined;
  /** Every request sent through send(), in order, for tests that deliver them again. */
  readonly sent: SentRequest[] = [];

  private constructor(
    private readonly http: SlackDriverOptions,
    responseUrls: ResponseUrlServer,
  ) {
    super(http, responseUrls);
  }

  static async start(options: SlackDriverOptions): Promise<SlackDriver> {
    const url = new URL(options.botUrl);
    if (url.protocol !== 'http:') throw new RangeError(`Slack driver: botUrl must be an http:// loopback URL, not ${options.botUrl}`);
    if (!options.signingSecret) throw new RangeError('Slack driver: signingSecret is required');
    return new SlackDriver(options, await InteractionDriver.startResponseUrls(options));
  }

  /** Sends the last request again byte for byte: same body, timestamp and signature. */
  replayLast(): Promise<Delivery> {
    if (!this.last) throw new Error('Slack driver: nothing sent yet');
    return this.post(this.last);
  }

  /** Sends the last request byte for byte to another Request URL: a capture replayed at another bot replica. */
  replayLastTo(botUrl: string): Promise<Delivery> {
    if (!this.last) throw new Error('Slack driver: nothing sent yet');
    return this.post(this.last, botUrl);
  }

  /**
   * Delivers a request sent before again, as Slack does when it retries: the same body,
   * signed with the current time (moved by `timestampOffsetSeconds`, as for send()), with
   * X-Slack-Retry-Num and X-Slack-Retry-Reason.
   */
  redeliver(request: SentRequest, retryNum: number, options: { timestampOffsetSeconds?: number } = {}): Promise<Delivery> {
    const signed = signatureHeaders(this.http.signingSecret, timestampNow(options.timestampOffsetSeconds), request.body);
    return this.post({ body: request.body, headers: { ...request.headers, ...signed, 'X-Slack-Retry-Num': String(retryNum), 'X-Slack-Retry-Reason': 'http_timeout' } });
  }

  /**
   * Sends a raw body signed as Slack would; `forgeSignature` signs it with another secret,
   * `timestampOffsetSeconds` moves the timestamp from now (-600: ten minutes old) and signs that.
   */
  send(body: string, contentType: string, options: { forgeSignature?: boolean; timestampOffsetSeconds?: number } = {}): Promise<Delivery> {
    const timestamp = timestampNow(options.timestampOffsetSeconds);
    const secret = options.forgeSignature ? `${this.http.signingSecret}-forged` : this.http.signingSecret;
    const bytes = Buffer.from(body, 'utf8');
    this.last = {
      body: bytes,
      headers: { 'Content-Type': contentType, 'User-Agent': SLACK_USER_AGENT, Accept: 'application/json,*/*', ...signatureHeaders(secret, timestamp, bytes) },
    };
    this.sent.push(this.last);
    return this.post(this.last);
  }

  protected deliver(request: BotRequest): Promise<Delivery> {
    return this.send(request.type === 'slash_commands' ? formBody(request.payload) : interactionBody(request.payload), FORM_CONTENT_TYPE);
  }

  private post(sent: SentRequest, botUrl = this.http.botUrl): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      // agent: false: one connection per delivery, so nothing lingers after close().
      const req = httpRequest(botUrl, { method: 'POST', headers: { ...sent.headers, 'Content-Length': String(sent.body.length) }, agent: false }, (res) => {
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

/** Slack's request timestamp (Unix seconds) for now, moved by `offsetSeconds`. */
function timestampNow(offsetSeconds = 0): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

function parsedJson(body: string): { json?: unknown } {
  if (body === '') return {};
  try {
    return { json: JSON.parse(body) as unknown };
  } catch {
    return {};
  }
}
