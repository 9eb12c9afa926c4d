/**
 * The Slack requests the bot has accepted, kept in the database so every bot replica
 * refuses a request another one already took (Slack's signature alone lets a captured
 * request be sent again within the five-minute window). A request is claimed by inserting
 * its signature: one statement, so two replicas racing on the same request cannot both win.
 * Rows older than the window are deleted as requests come in: past it the timestamp check
 * refuses a replay anyway.
 */
import type { Database, StorageTarget } from '../storage/database';
import { openMigrated, probeWritable, type Migration } from '../storage/migrations';

export const REPLAY_WINDOW_S = 5 * 60;
/** How often (at most) expired rows are deleted. */
const PURGE_EVERY_S = 30;

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'slack_requests',
    async up(tx) {
      await tx.run('CREATE TABLE IF NOT EXISTS slack_requests (signature TEXT PRIMARY KEY, timestamp INTEGER NOT NULL)');
      await tx.run('CREATE INDEX IF NOT EXISTS slack_requests_timestamp ON slack_requests (timestamp)');
    },
  },
];

export interface ReplayLedger {
  /** True the first time a signature is claimed (by any replica), false ever after while it is kept. */
  claim(signature: string, timestampS: number, nowS: number): Promise<boolean>;
}

export class ReplayStore implements ReplayLedger {
  private lastPurgeS = -Infinity;

  private constructor(private readonly db: Database) {}

  static async open(target: StorageTarget): Promise<ReplayStore> {
    return new ReplayStore(await openMigrated(target, 'slack-replays', MIGRATIONS));
  }

  async claim(signature: string, timestampS: number, nowS: number): Promise<boolean> {
    if (nowS - this.lastPurgeS >= PURGE_EVERY_S) {
      this.lastPurgeS = nowS;
      await this.db.run('DELETE FROM slack_requests WHERE timestamp < ?', [nowS - REPLAY_WINDOW_S]);
    }
    const { changes } = await this.db.run('INSERT INTO slack_requests (signature, timestamp) VALUES (?, ?) ON CONFLICT (signature) DO NOTHING', [signature, timestampS]);
    return changes === 1;
  }

  /** How many accepted requests are kept now (the tests check that expired ones go). */
  async size(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM slack_requests'))?.n ?? 0;
  }

  /** Throws unless the database takes writes now (for /readyz). */
  probe(): Promise<void> {
    return probeWritable(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
