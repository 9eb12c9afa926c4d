/**
 * Refusals of requests nobody could be authenticated for (forged, stale or replayed Slack
 * requests, codec requests without a valid token) come as fast as anyone can send them, so
 * they are counted rather than written one by one: per source address, kind, action and
 * minute. The first refusal of each such group is written at once, so a single event
 * still shows promptly, with its own detail; the rest of that minute become one row with
 * their count, written at the minute boundary (or on close). At most `maxSources`
 * addresses are told apart per minute; beyond that they share one "other sources" group.
 * So a flood costs a bounded number of rows per minute, and the counts add up.
 */
import type { SecurityEvent, SecurityEventKind, SecurityLog } from './security-log';

export const MAX_SOURCES_PER_MINUTE = 1_000;
export const OTHER_SOURCES = 'other sources';
const MINUTE_MS = 60_000;

export interface Refusal {
  kind: SecurityEventKind;
  /** The remote address the request came from. */
  source: string;
  action?: string;
  /** Who a token claimed to be, when it was ours but expired. */
  actor?: string;
  /** The setup a token was for, when it was ours (a spent secret link). */
  setupId?: string;
  /** Why, where one kind has several reasons (a secret link: used, expired, replaced); counted apart. */
  reason?: string;
  detail: string;
}

interface Group {
  first: Refusal;
  more: number;
}

const WORDS: Partial<Record<SecurityEventKind, string>> = {
  forged_request: 'forged requests',
  stale_request: 'stale requests',
  replayed_request: 'replayed requests',
  secret_link_refused: 'refused secret links',
};

export class RefusalCounter {
  private minute = -1;
  private groups = new Map<string, Group>();
  private sources = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: Pick<SecurityLog, 'record'>,
    private readonly options: { now?: () => number; maxSources?: number; onError?: (err: unknown) => void } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Counts the refusal; resolves once a row that has to be written now is written. */
  async refuse(refusal: Refusal): Promise<void> {
    const minute = Math.floor(this.now() / MINUTE_MS);
    if (minute !== this.minute) {
      await this.flush();
      this.minute = minute;
    }
    const source = this.sources.has(refusal.source) || this.sources.size < (this.options.maxSources ?? MAX_SOURCES_PER_MINUTE) ? refusal.source : OTHER_SOURCES;
    this.sources.add(source);
    const key = JSON.stringify([source, refusal.kind, refusal.action ?? '', refusal.actor ?? '', refusal.setupId ?? '', refusal.reason ?? '']);
    const group = this.groups.get(key);
    if (group) {
      group.more += 1;
      this.flushAtNextMinute();
      return;
    }
    const first = { ...refusal, source };
    this.groups.set(key, { first, more: 0 });
    await this.log.record(eventOf(first, 1, `${refusal.detail} From ${source}.`));
  }

  /** Writes the counted rows of the minute so far and starts afresh. */
  flush(): Promise<void> {
    const groups = [...this.groups.values()].filter((g) => g.more > 0);
    const minute = this.minute;
    this.groups = new Map();
    this.sources = new Set();
    clearTimeout(this.timer);
    this.timer = undefined;
    const write = async () => {
      for (const { first, more } of groups) {
        const kind = WORDS[first.kind] ?? `refused requests (${first.kind.replaceAll('_', ' ')})`;
        const words = first.reason ? `${kind} (${first.reason})` : kind;
        const at = new Date(minute * MINUTE_MS).toISOString().slice(11, 16);
        await this.log.record(eventOf(first, more, `${more} more ${words} from ${first.source} in ${at} UTC after the first one recorded (${more + 1} in all).`));
      }
    };
    // After the previous flush, even a failed one: rows are written in order, and one failure does not stop the next.
    this.flushing = this.flushing.catch(() => undefined).then(write);
    return this.flushing;
  }

  private flushAtNextMinute(): void {
    if (this.timer) return;
    const wait = MINUTE_MS - (this.now() % MINUTE_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.options.onError?.(err));
    }, wait);
    // Counting must not keep the process alive; close() writes what is left.
    this.timer.unref();
  }

  close(): Promise<void> {
    return this.flush();
  }
}

function eventOf(refusal: Refusal, count: number, detail: string): SecurityEvent {
  return {
    kind: refusal.kind,
    detail,
    count,
    ...(refusal.action ? { action: refusal.action } : {}),
    ...(refusal.actor ? { actor: refusal.actor } : {}),
    ...(refusal.setupId ? { setupId: refusal.setupId } : {}),
  };
}
