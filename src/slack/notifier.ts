/**
 * The Slack notifier the activities use: the checklist message (posted once, then
 * chat.update), approval requests to approvers (direct messages, or the approvals channel)
 * and reminders. Failures become Temporal failures: rate limits and network errors are
 * retried (after Slack's Retry-After), a refusal such as a deleted channel is final.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import { SLACK_REFUSED } from '../activities/contract';
import type { Notifier } from '../activities/notifier';
import { approvalDecidedMessage, approvalRequestMessage, checklistMessage, driftMessage, escalationMessage, expiredMessage, reminderMessage } from './views';
import type { Logger } from '../logger';
import type { MessageRef, SetupView } from '../domain/state';
import { slackErrorName } from './client';
import type { RoleDirectory } from './directory';

interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface SlackNotifierDeps {
  client: WebClient;
  directory: RoleDirectory;
  /** Approval requests go here when set; to each approver directly otherwise. */
  approvalsChannel?: string;
  /** Slack user ids told, directly, about a request still undecided after the escalation time. */
  escalationApprovers?: readonly string[];
  logger: Logger;
}

/** Slack errors that retrying cannot fix. */
const FINAL = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked', 'missing_scope', 'invalid_blocks', 'msg_too_long', 'user_not_found', 'cannot_dm_bot']);

function asFailure(err: unknown, what: string): Error {
  const e = err as { code?: unknown; retryAfter?: unknown };
  if (e?.code === ErrorCode.RateLimitedError && typeof e.retryAfter === 'number') {
    return ApplicationFailure.create({ type: 'SlackRateLimited', message: `Slack rate-limited ${what}.`, nextRetryDelay: `${Math.max(1, e.retryAfter)}s` });
  }
  if (e?.code === ErrorCode.PlatformError) {
    const error = slackErrorName(err) as string;
    return ApplicationFailure.create({ type: FINAL.has(error) ? SLACK_REFUSED : 'SlackError', message: `Slack refused ${what}: ${error}.`, nonRetryable: FINAL.has(error) });
  }
  return ApplicationFailure.create({ type: 'SlackUnavailable', message: `Slack could not be reached for ${what}.` });
}

export function createSlackNotifier(deps: SlackNotifierDeps): Notifier {
  const { client, directory, logger } = deps;

  async function post(channel: string, message: SlackMessage, threadTs?: string): Promise<MessageRef> {
    try {
      const result = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
      return { channel: result.channel ?? channel, ts: result.ts as string };
    } catch (err) {
      throw asFailure(err, 'a message');
    }
  }

  async function update(ref: MessageRef, message: SlackMessage): Promise<boolean> {
    try {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks });
      return true;
    } catch (err) {
      const error = (err as { data?: { error?: unknown } }).data?.error;
      // Someone deleted the message: the caller posts a new one.
      if (error === 'message_not_found') return false;
      throw asFailure(err, 'a message update');
    }
  }

  /** Where approvers are told: the approvals channel, or a direct message to each. */
  async function approverChannels(): Promise<string[]> {
    if (deps.approvalsChannel) return [deps.approvalsChannel];
    const channels: string[] = [];
    for (const user of await directory.membersOf('approver')) {
      try {
        const opened = await client.conversations.open({ users: user });
        if (opened.channel?.id) channels.push(opened.channel.id);
      } catch (err) {
        // An approver Slack will never reach (deactivated, a bot) is skipped; anything else,
        // an outage or a rate limit, fails the notification so Temporal retries it, or the
        // request would reach nobody.
        if (!FINAL.has(slackErrorName(err) ?? '')) throw asFailure(err, 'a direct message to an approver');
        logger.warn('cannot open a direct message with an approver', { user, error: String((err as Error).message) });
      }
    }
    return channels;
  }

  async function toApprovers(message: SlackMessage): Promise<MessageRef[]> {
    const refs: MessageRef[] = [];
    for (const channel of await approverChannels()) refs.push(await post(channel, message));
    return refs;
  }

  function inThread(view: SetupView, message: SlackMessage): Promise<MessageRef> | undefined {
    return view.slack?.ts ? post(view.slack.channel, message, view.slack.ts) : undefined;
  }

  return {
    async notify({ notification: n, view }) {
      switch (n.kind) {
        case 'approval_requested':
          return { messages: await toApprovers(approvalRequestMessage(view)) };
        case 'reminder': {
          const message = reminderMessage(n, view);
          // Approvers' reminders carry Approve / Reject: they are closed with the request.
          if (n.waitingOn === 'approvers') return { messages: await toApprovers(message) };
          await inThread(view, message);
          return { messages: [] };
        }
        case 'approval_expired':
          await inThread(view, expiredMessage(n, view));
          return { messages: [] };
        case 'drift_failed': {
          // The setup's thread and every approver: no buttons, nothing to close later.
          const message = driftMessage(n, view);
          await inThread(view, message);
          await toApprovers(message);
          return { messages: [] };
        }
        case 'approval_escalated': {
          const refs: MessageRef[] = [];
          for (const user of deps.escalationApprovers ?? []) {
            let channel: string | undefined;
            try {
              channel = (await client.conversations.open({ users: user })).channel?.id;
            } catch (err) {
              throw asFailure(err, 'a direct message to an escalation approver');
            }
            if (channel) refs.push(await post(channel, escalationMessage(n, view)));
          }
          return { messages: refs };
        }
      }
    },

    async publishChecklist({ channel, ts, view }) {
      const message = checklistMessage(view);
      if (ts && (await update({ channel, ts }, message))) return { channel, ts };
      return post(channel, message);
    },

    async closeApprovalRequests({ messages, request, view }) {
      const message = approvalDecidedMessage(view, request);
      for (const ref of messages) await update(ref, message);
    },
  };
}
