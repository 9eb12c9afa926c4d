/**
 * Checks every HTTP request before Bolt sees it: Slack's signature over
 * `v0:{timestamp}:{body}`, a timestamp within five minutes, and no replay of a request
 * already accepted by this or any other bot replica (replay-store.ts). Bolt verifies the
 * signature again; this adds the replay check and records what it refuses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SecurityEventKind } from '../audit/security-log';
import { REPLAY_WINDOW_S, type ReplayLedger } from './replay-store';

export type Verdict = { ok: true } | { ok: false; kind: SecurityEventKind; detail: string };

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

export class RequestGuard {
  constructor(
    private readonly signingSecret: string,
    private readonly replays: ReplayLedger,
    private readonly now: () => number = Date.now,
  ) {}

  async check(headers: IncomingHttpHeaders, rawBody: Buffer): Promise<Verdict> {
    const timestamp = Number(header(headers, 'x-slack-request-timestamp'));
    const signature = header(headers, 'x-slack-signature') ?? '';
    const nowS = Math.floor(this.now() / 1000);
    if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > REPLAY_WINDOW_S) {
      return { ok: false, kind: 'stale_request', detail: 'The request timestamp is missing or more than five minutes from now.' };
    }
    const expected = `v0=${createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return { ok: false, kind: 'forged_request', detail: 'The request signature does not match SLACK_SIGNING_SECRET.' };
    }
    if (!(await this.replays.claim(signature, timestamp, nowS))) {
      return { ok: false, kind: 'replayed_request', detail: 'The same signed request was already received.' };
    }
    return { ok: true };
  }
}
