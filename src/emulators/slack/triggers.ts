/**
 * trigger_ids: each interaction hands the app one, which it may exchange once, within 3 seconds,
 * for a modal (docs.slack.dev/interactivity/handling-user-interaction: "trigger_id … expires
 * in 3 seconds"; "can only be used once"). The refusals are views.open's documented errors:
 * exchanged_trigger_id, expired_trigger_id, invalid_trigger_id (docs.slack.dev/reference/methods/views.open).
 * Guessed: a well-formed id Slack never issued answers invalid_trigger_id; a used one that is
 * also past its 3 s answers exchanged_trigger_id.
 */
import { SlackApiError } from './api-error';
import { newTriggerId, TRIGGER_ID_FORMAT } from './ids';

interface IssuedTrigger {
  userId: string;
  expiresAt: number;
  used: boolean;
}

export const SLACK_TRIGGER_TTL_MS = 3000;

export class TriggerRegistry {
  private readonly issued = new Map<string, IssuedTrigger>();

  constructor(private readonly ttlMs: number) {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`Slack emulator: triggerTtlMs must be a positive number, not ${ttlMs}`);
  }

  issue(userId: string, now = Date.now()): string {
    const id = newTriggerId();
    this.issued.set(id, { userId, expiresAt: now + this.ttlMs, used: false });
    return id;
  }

  /** Uses the trigger up and returns whose it is, or throws the error Slack answers. */
  exchange(triggerId: string, now = Date.now()): string {
    const trigger = TRIGGER_ID_FORMAT.test(triggerId) ? this.issued.get(triggerId) : undefined;
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    if (now > trigger.expiresAt) throw new SlackApiError('expired_trigger_id');
    trigger.used = true;
    return trigger.userId;
  }
}
