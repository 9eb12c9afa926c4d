/**
 * Errors a test arranges: the next `times` calls to a method answer this error instead.
 * "ratelimited" answers as Slack does when a method's rate limit is hit: HTTP 429 with a
 * Retry-After header in seconds and `{ ok: false, error: "ratelimited" }`
 * (docs.slack.dev/apis/web-api/rate-limits); every other error answers HTTP 200 `{ ok: false, error }`.
 */

export interface InjectedFault {
  error: string;
  retryAfterSeconds: number;
}

interface Entry extends InjectedFault {
  method: string;
  remaining: number;
}

export class FaultPlan {
  private entries: Entry[] = [];
  /** Set while Slack is "down": every Web API call answers HTTP 503. */
  down = false;

  inject(method: string, error: string, options: { times?: number; retryAfterSeconds?: number } = {}): void {
    const times = options.times ?? 1;
    const retryAfterSeconds = options.retryAfterSeconds ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`Slack emulator: times must be a positive integer, not ${times}`);
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new RangeError(`Slack emulator: retryAfterSeconds must be a non-negative integer, not ${retryAfterSeconds}`);
    }
    this.entries.push({ method, error, retryAfterSeconds, remaining: times });
  }

  /** The fault this call gets, using up one of its times, in the order faults were injected. */
  take(method: string): InjectedFault | undefined {
    const entry = this.entries.find((e) => e.method === method);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries = this.entries.filter((e) => e !== entry);
    return { error: entry.error, retryAfterSeconds: entry.retryAfterSeconds };
  }
}
