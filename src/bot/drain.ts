/**
 * The bot's handlers still running: Bolt acks first and works after, so a bot stopped at
 * the ack would drop work half done (a secret stored, its Update never sent). stop() waits
 * for them, bounded.
 */
import type { App } from '@slack/bolt';

export class HandlerDrain {
  private running = 0;
  private waiting: Array<() => void> = [];

  /** Counts every event's handling, from the global middleware to its last listener. */
  attach(app: App): void {
    app.use(async ({ next }) => {
      this.running += 1;
      try {
        await next();
      } finally {
        this.running -= 1;
        if (this.running === 0) for (const wake of this.waiting.splice(0)) wake();
      }
    });
  }

  /** Resolves once no handler runs, or after `timeoutMs` whatever still runs; true when drained. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
