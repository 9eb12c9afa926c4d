/**
 * Tells people that a setup needs them. Until the Slack bot lands (issue #4) the only
 * notifier writes a log line; the activity depends on this interface alone.
 */
import type { Logger } from '../logger';
import type { Notification } from '../shared/state';

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

export function createLogNotifier(logger: Logger): Notifier {
  return {
    async notify(n) {
      switch (n.kind) {
        case 'reminder':
          logger.info(`Reminder #${n.reminderNumber}: setup ${n.setupId} waits on ${n.waitingOn} at step ${n.step}`, {
            setup: n.setupId,
            step: n.step,
            idleSince: n.idleSince,
          });
          return;
        case 'approval_requested':
          logger.info(`Setup ${n.setupId}: ${n.requestedBy.displayName} requests production approval`, {
            setup: n.setupId,
            expiresAt: n.expiresAt,
          });
          return;
        case 'approval_expired':
          logger.info(`Setup ${n.setupId}: the production request by ${n.requestedBy.displayName} expired`, {
            setup: n.setupId,
            requestedAt: n.requestedAt,
          });
          return;
      }
    },
  };
}
