/**
 * Tells people that a setup needs them and keeps Slack current. The activities depend on
 * this interface alone: the Slack notifier when the bot is configured, otherwise one that
 * writes log lines.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../logger';
import type { MessageRef } from '../domain/state';
import { SLACK_REFUSED, type CloseApprovalRequestsInput, type NotifyInput, type NotifyResult, type PublishChecklistInput } from './contract';

export interface Notifier {
  notify(input: NotifyInput): Promise<NotifyResult>;
  publishChecklist(input: PublishChecklistInput): Promise<MessageRef>;
  closeApprovalRequests(input: CloseApprovalRequestsInput): Promise<void>;
}

export function createLogNotifier(logger: Logger): Notifier {
  return {
    async notify({ notification: n }) {
      switch (n.kind) {
        case 'reminder':
          logger.info(`Reminder #${n.reminderNumber}: setup ${n.setupId} waits on ${n.waitingOn} at step ${n.step}`, {
            setup: n.setupId,
            step: n.step,
            idleSince: n.idleSince,
          });
          break;
        case 'approval_requested':
          logger.info(`Setup ${n.setupId}: ${n.requestedBy.displayName} requests production approval`, {
            setup: n.setupId,
            expiresAt: n.expiresAt,
          });
          break;
        case 'drift_failed':
          logger.warn(`Setup ${n.setupId} needs attention: the drift watch found its ${n.environment} keys refused`, {
            setup: n.setupId,
            code: n.problem.code,
          });
          break;
        case 'approval_escalated':
          logger.info(`Setup ${n.setupId}: the production request by ${n.requestedBy.displayName} is still undecided; escalated`, {
            setup: n.setupId,
            expiresAt: n.expiresAt,
          });
          break;
        case 'approval_expired':
          logger.info(`Setup ${n.setupId}: the production request by ${n.requestedBy.displayName} expired`, {
            setup: n.setupId,
            requestedAt: n.requestedAt,
          });
          break;
      }
      return { messages: [] };
    },
    async publishChecklist({ view }) {
      // A setup started from Slack while this worker has no Slack token: say so once per change.
      logger.warn('Slack is not configured on this worker: the checklist message was not updated', { setup: view.setupId });
      throw ApplicationFailure.create({ type: SLACK_REFUSED, message: 'Slack is not configured on this worker (SLACK_BOT_TOKEN).', nonRetryable: true });
    },
    async closeApprovalRequests() {
      return;
    },
  };
}
