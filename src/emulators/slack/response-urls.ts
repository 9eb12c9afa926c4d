/**
 * response_urls on a loopback server: each slash command and message click gets its own, which
 * the app may POST JSON messages to "up to 5 times within 30 minutes"
 * (docs.slack.dev/interactivity/handling-user-interaction#message_responses).
 * Guessed (Slack does not document its answers): a post Slack takes answers 200 `{"ok":true}`;
 * a sixth post 404 `{"ok":false,"error":"used_url"}`, a post after 30 minutes 404
 * `expired_url`, an unknown URL 404 `no_service` (the incoming-webhook error), a body that is
 * not JSON 400 `invalid_payload`, a message Slack refuses 400 with its error; every post to a
 * live URL counts as a use.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { guarded, listen, readBody, sendJson, stop } from './http';
import { newResponsePath } from './ids';
import type { Outcome } from './api-error';
import type { ResponseTarget } from './message-responses';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseUrlPost {
  url: string;
  /** The JSON posted (the raw text when it was not JSON). */
  body: unknown;
  /** What the URL answered. */
  status: number;
  at: string;
}

interface IssuedUrl {
  target: ResponseTarget;
  issuedAt: number;
  uses: number;
}

export type ResponseHandler = (target: ResponseTarget, body: unknown) => Outcome;

export class ResponseUrlServer {
  private readonly issued = new Map<string, IssuedUrl>();
  private readonly received: ResponseUrlPost[] = [];
  private readonly server: Server;
  private baseUrl = '';
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly ttlMs: number,
    private readonly onPost: ResponseHandler,
  ) {
    this.server = createServer(guarded((req, res) => this.handle(req, res), 'SLACK_DRIVER_BUG'));
  }

  static async start(host: string, ttlMs: number, onPost: ResponseHandler): Promise<ResponseUrlServer> {
    const urls = new ResponseUrlServer(ttlMs, onPost);
    urls.baseUrl = await listen(urls.server, host);
    return urls;
  }

  get posts(): readonly ResponseUrlPost[] {
    return this.received;
  }

  issue(kind: 'commands' | 'actions', teamId: string, target: ResponseTarget): string {
    const path = newResponsePath(kind, teamId);
    this.issued.set(path, { target, issuedAt: Date.now(), uses: 0 });
    return `${this.baseUrl}${path}`;
  }

  close(): Promise<void> {
    this.closed ??= stop(this.server);
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://driver').pathname;
    let json: { value: unknown } | undefined;
    try {
      json = { value: JSON.parse(text) as unknown };
    } catch {
      // Recorded as sent and answered invalid_payload.
    }
    const [status, answer] = this.answer(path, json);
    this.received.push({ url: `${this.baseUrl}${path}`, body: json ? json.value : text, status, at: new Date().toISOString() });
    sendJson(res, status, answer);
  }

  private answer(path: string, json: { value: unknown } | undefined): [number, unknown] {
    const url = this.issued.get(path);
    if (!url) return [404, { ok: false, error: 'no_service' }];
    if (Date.now() - url.issuedAt > this.ttlMs) return [404, { ok: false, error: 'expired_url' }];
    if (url.uses >= RESPONSE_URL_MAX_USES) return [404, { ok: false, error: 'used_url' }];
    url.uses += 1;
    if (!json) return [400, { ok: false, error: 'invalid_payload' }];
    const outcome = this.onPost(url.target, json.value);
    if (outcome.ok) return [200, { ok: true }];
    return [400, { ok: false, error: outcome.error, ...(outcome.messages ? { response_metadata: { messages: outcome.messages } } : {}) }];
  }
}
