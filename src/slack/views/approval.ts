/**
 * Messages to the people a setup waits on: the production approval request (with
 * Approve / Reject), the same message once decided or expired, reminders, and the notice
 * that a request expired. The notifier picks one per Notification.
 */
import type { KnownBlock } from '@slack/types';
import { STEP_TITLES } from '../../shared/schemas';
import type { Notification, ProductionRequest } from '../../domain/state';
import { buttonValue } from '../ids';
import { actionBlocks, declaredButton } from './buttons';
import type { SlackMessage } from './checklist';
import { STATUS_MARK, type SetupView } from './summary';
import {
  LIMITS,
  byAt,
  code,
  context,
  escapeMrkdwn,
  header,
  quote,
  section,
  slackDate,
  truncateMrkdwn,
  truncatePlain,
  who,
} from './text';
import { ACTION_NAMES, declarationOf } from '../../shared/actions';

export type ReminderNotification = Extract<Notification, { kind: 'reminder' }>;
export type ApprovalRequestedNotification = Extract<Notification, { kind: 'approval_requested' }>;
export type ApprovalExpiredNotification = Extract<Notification, { kind: 'approval_expired' }>;

const FREE_TEXT_MAX = 1000;
/** The actions that decide a production request: Approve and Reject. */
const DECISIONS = ACTION_NAMES.filter((action) => declarationOf(action).decision);

const fallback = (text: string) => truncateMrkdwn(escapeMrkdwn(text), LIMITS.fallbackText);

function requestLines(view: SetupView, p: ProductionRequest | undefined): string[] {
  if (!p) return [`No production request for *${escapeMrkdwn(view.name)}*.`];
  const s = p.subject;
  const lines = [
    `*${who(p.requestedBy)}* asks to move *${escapeMrkdwn(view.name)}* to Plaid Production (request ${code(p.id)}, ${slackDate(p.requestedAt)}).`,
    // Exactly what an approval covers: changing any of it afterwards needs a new request.
    `*Approving covers:* client_id ${code(s.clientId)} · countries ${escapeMrkdwn(s.countryCodes.join(', '))} · ${s.syncMode} sync · Link customization ${s.linkCustomizationName ? code(s.linkCustomizationName) : 'none'}`,
  ];
  if (p.note) lines.push(quote(p.note, FREE_TEXT_MAX));
  return lines;
}

/** What the Sandbox test proved, for the approver. */
function setupFacts(view: SetupView): string {
  const test = view.steps.find((s) => s.id === 'sandbox_test');
  const testWords = test ? `Sandbox test ${STATUS_MARK[test.status].word}${test.at ? ` ${slackDate(test.at)}` : ''}` : '';
  return [`Setup ${code(view.setupId)}`, testWords].filter((t) => t.length > 0).join(' · ');
}

/**
 * Sent to approvers when production is requested. Approve / Reject show only while the
 * request waits for a decision; once decided or expired this is `approvalDecidedMessage`.
 */
export function approvalRequestMessage(view: SetupView): SlackMessage {
  const p = view.production;
  if (!p || p.decision) return approvalDecidedMessage(view);
  const blocks: KnownBlock[] = [
    header(`Production approval: ${view.name}`),
    section([...requestLines(view, p), `Decide by ${slackDate(p.expiresAt)}; after that the request expires.`].join('\n')),
    context([
      setupFacts(view),
      `Four eyes: ${who(p.requestedBy)} can't decide on their own request; only approvers can.`,
      ...(p.required && p.required > 1
        ? [`Needs ${p.required} approvers${p.approvals?.length ? `; approved so far by ${p.approvals.map((a) => who(a.by)).join(', ')}` : ''}.`]
        : []),
    ]),
    ...actionBlocks(view, DECISIONS),
  ];
  return {
    text: fallback(`${p.requestedBy.displayName} requests production approval for ${view.name}; decide by ${p.expiresAt}.`),
    blocks,
  };
}

/**
 * The approval message after the decision, expiry or supersession of `request` (the
 * setup's current request by default): who decided, when and why. No buttons.
 */
export function approvalDecidedMessage(view: SetupView, request?: ProductionRequest): SlackMessage {
  const p = request ?? view.production;
  let outcome: string;
  let text: string;
  const because = p?.reason ? `: ${escapeMrkdwn(truncatePlain(p.reason, FREE_TEXT_MAX))}` : '.';
  switch (p?.decision) {
    case 'approved':
      outcome = `:white_check_mark: *Approved* by ${byAt(p.decidedBy, p.decidedAt)}${because}`;
      text = `Production for ${view.name} approved by ${p.decidedBy?.displayName ?? 'an approver'}.`;
      break;
    case 'rejected':
      outcome = `:x: *Rejected* by ${byAt(p.decidedBy, p.decidedAt)}${because}`;
      text = `Production for ${view.name} rejected by ${p.decidedBy?.displayName ?? 'an approver'}.`;
      break;
    case 'expired':
      outcome = `:hourglass: *Expired* ${slackDate(p.decidedAt ?? p.expiresAt)}: no approver decided in time. An operator can request production again.`;
      text = `The production request for ${view.name} expired.`;
      break;
    case 'superseded':
      outcome = `:no_entry_sign: *No longer valid* (${slackDate(p.decidedAt ?? p.requestedAt)})${because} A decision needs a new request.`;
      text = `The production request ${p.id} for ${view.name} no longer stands.`;
      break;
    default:
      outcome = p ? `Still waiting for a decision; expires ${slackDate(p.expiresAt)}.` : 'Nothing to decide.';
      text = `Production approval for ${view.name}: no decision yet.`;
  }
  return {
    text: fallback(text),
    blocks: [header(`Production approval: ${view.name}`), section([...requestLines(view, p), outcome].join('\n')), context([setupFacts(view)])],
  };
}

/**
 * A nudge to whoever the setup waits on. With the setup's view it names the setup, says
 * what to do, and gives approvers their Approve / Reject buttons.
 */
export function reminderMessage(notification: ReminderNotification, view?: SetupView): SlackMessage {
  const n = notification;
  const name = view?.name ?? n.setupId;
  const title = STEP_TITLES[n.step];
  const count = n.reminderNumber > 1 ? ` #${n.reminderNumber}` : '';
  const lines = [
    `:bell: *Reminder${count}*: setup *${escapeMrkdwn(name)}* has waited on the ${n.waitingOn} since ${slackDate(n.idleSince)}, at step *${escapeMrkdwn(title)}*.`,
  ];
  const detail = view?.steps.find((s) => s.id === n.step)?.detail;
  if (detail) lines.push(`*What to do:* ${escapeMrkdwn(truncatePlain(detail, FREE_TEXT_MAX))}`);
  const blocks: KnownBlock[] = [
    section(lines.join('\n')),
    context([`Open the checklist, or run \`/plaid-setup status ${escapeMrkdwn(n.setupId)}\`.`]),
  ];
  if (view && n.waitingOn === 'approvers') blocks.push(...actionBlocks(view, DECISIONS));
  return { text: fallback(`Reminder: setup ${name} has waited on the ${n.waitingOn} since ${n.idleSince} (${title}).`), blocks };
}

/** Tells the channel that a production request lapsed without a decision. */
export function expiredMessage(notification: ApprovalExpiredNotification, view?: SetupView): SlackMessage {
  const n = notification;
  const name = view?.name ?? n.setupId;
  return {
    text: fallback(`The production request for ${name} by ${n.requestedBy.displayName} expired without a decision.`),
    blocks: [
      section(
        `:hourglass: The production request for *${escapeMrkdwn(name)}* by ${who(n.requestedBy)} (${slackDate(n.requestedAt)}) *expired*: no approver decided in time.\n*What to do:* request production again, and ask an approver to decide.`,
      ),
    ],
  };
}

/** The message for any Notification; the view, when the notifier has it, makes it richer. */
export function notificationMessage(notification: Notification, view?: SetupView): SlackMessage {
  switch (notification.kind) {
    case 'reminder':
      return reminderMessage(notification, view);
    case 'approval_expired':
      return expiredMessage(notification, view);
    case 'approval_requested':
      return view ? approvalRequestMessage(view) : bareApprovalRequest(notification);
    case 'approval_escalated':
      return escalationMessage(notification, view);
    case 'drift_failed':
      return driftMessage(notification, view);
  }
}

export type DriftFailedNotification = Extract<Notification, { kind: 'drift_failed' }>;

/** The drift watch's alert: the live keys of an enabled setup no longer work, and what to do. */
export function driftMessage(notification: DriftFailedNotification, view?: SetupView): SlackMessage {
  const n = notification;
  const name = view?.name ?? n.setupId;
  const env = n.environment === 'production' ? 'Production' : 'Sandbox';
  return {
    text: fallback(`Needs attention: the ${env} keys of ${name} no longer work (${n.problem.code}).`),
    blocks: [
      section(
        [
          `:warning: *Needs attention:* the drift watch found that the ${env} keys of enabled setup *${escapeMrkdwn(name)}* no longer work.`,
          `*What happened:* ${escapeMrkdwn(truncatePlain(n.problem.message, FREE_TEXT_MAX))}`,
          `*What to do:* ${escapeMrkdwn(truncatePlain(n.problem.action, FREE_TEXT_MAX))}`,
        ].join('\n'),
      ),
      context([`Setup ${code(n.setupId)} · code ${code(n.problem.code)}${n.problem.requestId ? ` · Plaid request ${code(n.problem.requestId)}` : ''}`]),
    ],
  };
}

export type ApprovalEscalatedNotification = Extract<Notification, { kind: 'approval_escalated' }>;

/**
 * To the escalation approvers: a request nobody has decided on since it was made, with
 * Approve / Reject (closed with the request, like every approval message).
 */
export function escalationMessage(notification: ApprovalEscalatedNotification, view?: SetupView): SlackMessage {
  const n = notification;
  const name = view?.name ?? n.setupId;
  const lead = section(
    `:rotating_light: *Escalated:* the production request for *${escapeMrkdwn(name)}* by ${who(n.requestedBy)} has had no decision since ${slackDate(n.requestedAt)}; it expires ${slackDate(n.expiresAt)}.`,
  );
  const rest = view && view.production?.id === n.requestId && !view.production.decision ? approvalRequestMessage(view).blocks : bareApprovalRequest({ ...n, kind: 'approval_requested' }).blocks;
  return {
    text: fallback(`Escalated: the production request for ${name} by ${n.requestedBy.displayName} is still undecided; it expires ${n.expiresAt}.`),
    blocks: [lead, ...rest],
  };
}

/** Without the setup's state: who asked and until when, with both buttons (the workflow re-checks every click). */
function bareApprovalRequest(n: ApprovalRequestedNotification): SlackMessage {
  return {
    text: fallback(`${n.requestedBy.displayName} requests production approval for ${n.setupId}; decide by ${n.expiresAt}.`),
    blocks: [
      section(
        `*${who(n.requestedBy)}* asks to move setup ${code(n.setupId)} to Plaid Production. Decide by ${slackDate(n.expiresAt)}.`,
      ),
      {
        type: 'actions',
        elements: DECISIONS.map((action) => declaredButton(action, buttonValue(n.setupId, n.requestId))),
      },
    ],
  };
}
