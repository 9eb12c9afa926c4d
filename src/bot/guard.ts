/**
 * Checks every HTTP request before Bolt sees it: Slack's signature over
 * `v0:{timestamp}:{body}`, a timestamp within five minutes, and no replay of a request
 * already accepted (Slack's signature alone lets a captured request be sent again within
 * those five minutes). Bolt verifies the signature again; this adds the replay check and
 * records what it refuses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SecurityEventKind } from '../audit/security-log';

const WINDOW_S = 5 * 60;

export type Verdict = { ok: true } | { ok: false; kind: SecurityEventKind; detail: string };

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Accepted signatures are remembered until their timestamp leaves the window (after that the
 * timestamp check refuses a replay anyway), and at most `maxEntries` of them. When full, the
 * oldest is evicted and `floor` rises to its timestamp: from then on no request that old is
 * accepted, so an evicted signature can never be replayed. A flood of genuinely signed
 * requests (only Slack can sign) then costs fresh requests with old timestamps, never safety.
 */
export const REPLAY_CACHE_MAX = 100_000;

export class RequestGuard {
  /** Signature → its request's timestamp, in the order accepted. */
  private readonly seen = new Map<string, number>();
  private floor = -Infinity;

  constructor(
    private readonly signingSecret: string,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = REPLAY_CACHE_MAX,
  ) {}

  /** How many signatures are remembered. */
  get remembered(): number {
    return this.seen.size;
  }

  check(headers: IncomingHttpHeaders, rawBody: Buffer): Verdict {
    const timestamp = Number(header(headers, 'x-slack-request-timestamp'));
    const signature = header(headers, 'x-slack-signature') ?? '';
    const nowS = Math.floor(this.now() / 1000);
    if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > WINDOW_S) {
      return { ok: false, kind: 'stale_request', detail: 'The request timestamp is missing or more than five minutes from now.' };
    }
    const expected = `v0=${createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return { ok: false, kind: 'forged_request', detail: 'The request signature does not match SLACK_SIGNING_SECRET.' };
    }
    this.forgetOld(nowS);
    if (this.seen.has(signature)) {
      return { ok: false, kind: 'replayed_request', detail: 'The same signed request was already received.' };
    }
    if (timestamp <= this.floor) {
      return { ok: false, kind: 'stale_request', detail: 'Too many requests arrived within five minutes; requests this old are refused until they pass.' };
    }
    if (this.seen.size >= this.maxEntries) this.evictOldest();
    this.seen.set(signature, timestamp);
    return { ok: true };
  }

  /**
   * Drops expired entries from the front. Entries are in arrival order, not strictly in
   * timestamp order, so an expired one behind a live one waits: the size cap still holds.
   */
  private forgetOld(nowS: number): void {
    for (const [signature, timestamp] of this.seen) {
      if (timestamp + WINDOW_S >= nowS) return;
      this.seen.delete(signature);
    }
  }

  private evictOldest(): void {
    const oldest = this.seen.entries().next();
    if (oldest.done) return;
    const [signature, timestamp] = oldest.value;
    this.seen.delete(signature);
    this.floor = Math.max(this.floor, timestamp);
  }
}
