/**
 * The one Slack message per setup, kept current with chat.update: every step with its
 * status, who acted and when, what went wrong and what to do, what the checks proved,
 * what to enter in the Codat Portal, and a button for each action allowed now.
 */
import type { KnownBlock } from '@slack/types';
import type { Evidence, Problem, StepState } from '../../domain/state';
import { actionBlocks } from './buttons';
import { headline } from '../../domain/headline';
import { STATUS_MARK, type SetupView } from './summary';
import {
  LIMITS,
  PLAID_KEYS,
  byAt,
  code,
  context,
  divider,
  escapeMrkdwn,
  fieldSections,
  fitBlocks,
  header,
  quote,
  section,
  slackDate,
  truncateMrkdwn,
  truncatePlain,
  who,
} from './text';

export interface SlackMessage {
  /** Plain fallback for notifications and clients without blocks. */
  text: string;
  blocks: KnownBlock[];
}

/** Free text people typed (notes, reasons) is cut well before the section limit. */
const FREE_TEXT_MAX = 1000;

export function checklistMessage(view: SetupView): SlackMessage {
  const body: KnownBlock[] = [
    header(`Plaid setup: ${view.name}`),
    section(`*${escapeMrkdwn(headline(view))}* · environment *${view.data.environment}*\n${phaseText(view)}`),
    context([`Setup ${code(view.setupId)} · started by ${byAt(view.createdBy, view.createdAt)} · version ${view.version}`]),
    divider,
  ];
  view.steps.forEach((s, i) => {
    body.push(section(stepText(s, i + 1)));
    if (s.evidence && Object.keys(s.evidence).length > 0) body.push(context(evidenceLines(s.evidence)));
    if (s.id === 'codat_portal' && s.status !== 'done' && view.data.clientId) body.push(...codatPortalBlocks(view));
  });
  const extra = [productionText(view), migrationText(view), rotationText(view), cancelledText(view)].filter((t): t is string => t !== undefined);
  if (extra.length > 0) body.push(divider, ...extra.map(section));
  const actions = actionBlocks(view);
  const tail: KnownBlock[] = actions.length > 0 ? [divider, ...actions] : [];
  return {
    text: truncateMrkdwn(escapeMrkdwn(`Plaid setup ${view.name}: ${headline(view)} (${view.data.environment})`), LIMITS.fallbackText),
    blocks: fitBlocks(body, tail, LIMITS.messageBlocks, `Some details are left out; run \`/plaid-setup status ${view.setupId}\` for all of them.`),
  };
}

/** Codat's order: Sandbox first (enabled once tested and in the Codat Portal), then Production as its own phase. */
function phaseText(view: SetupView): string {
  if (view.data.environment === 'production') return '*Phase 2 of 2: Production.*';
  return view.enabled
    ? '*Phase 1 of 2: Sandbox*, enabled. To migrate: request production, get it approved, enter the Production secret and confirm it in the Codat Portal.'
    : '*Phase 1 of 2: Sandbox.* Enable in Sandbox once the Sandbox test passes and the Codat Portal is set; Production follows as its own phase.';
}

function migrationText(view: SetupView): string | undefined {
  const m = view.migration;
  if (!m) return undefined;
  const lines = [
    m.status === 'in_progress'
      ? `*Migrating to Production* (by ${byAt(m.actor, m.at)}): Plaid Production is checking the keys.`
      : m.status === 'done'
        ? `*Migrated to Production* by ${byAt(m.actor, m.at)}: Plaid Production accepted the keys.`
        : `*The migration to Production needs attention* (by ${byAt(m.actor, m.at)}).`,
  ];
  if (m.error) lines.push(...problemLines(m.error));
  return lines.join('\n');
}

function stepText(s: StepState, number: number): string {
  const mark = STATUS_MARK[s.status];
  const lines = [`${mark.emoji} *${number}. ${escapeMrkdwn(s.title)}* · ${mark.word}`];
  const when = byAt(s.actor, s.at);
  if (when) lines.push(`_${s.actor ? 'by ' : ''}${when}_`);
  if (s.detail) lines.push(escapeMrkdwn(truncatePlain(s.detail, FREE_TEXT_MAX)));
  if (s.error) lines.push(...problemLines(s.error, s.detail));
  return lines.join('\n');
}

/** The error, what to do, and Plaid's request id (the message only when the detail doesn't already say it). */
function problemLines(problem: Problem, detail?: string): string[] {
  const lines: string[] = [];
  if (!detail?.includes(problem.message)) lines.push(`:warning: ${escapeMrkdwn(truncatePlain(problem.message, FREE_TEXT_MAX))}`);
  lines.push(`*What to do:* ${escapeMrkdwn(truncatePlain(problem.action, FREE_TEXT_MAX))}`);
  if (problem.requestId) lines.push(`Plaid request id: ${code(problem.requestId)}`);
  return lines;
}

const EVIDENCE_LABELS: Record<string, string> = {
  environment: 'Environment',
  keysAccepted: 'Keys accepted',
  institutionsAvailable: 'Institutions available',
  institution: 'Institution',
  institutionId: 'Institution id',
  accounts: 'Accounts',
  transactions: 'Transactions',
  syncPolls: 'Sync polls',
  itemRemoved: 'Test Item removed',
  leftoverItemsRemoved: 'Leftover Items removed',
  countriesEnabled: 'Countries',
  productsEnabled: 'Products',
  codatEnabled: 'Enabled in Codat',
  codatCheckedAt: 'Codat checked at',
  codatCredentialsWritten: 'Written to Codat',
  codatEnvironment: 'Codat environment',
  liveKeysCheckedAt: 'Live keys checked at',
  liveKeysAccepted: 'Live keys accepted',
  redirectUriAllowed: 'Redirect URI',
  linkCustomization: 'Link customization',
  secretFingerprint: 'Secret used',
};

const show = (value: string | number | boolean) => (typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));

function label(key: string, suffix: string): string {
  const stem = key.slice(0, key.length - suffix.length);
  return stem.length > 0 ? stem : key;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/**
 * What a passed check proved, compactly: the facts, then Plaid request ids (`…RequestId`),
 * then timings (`…Ms`). At most three context elements.
 */
export function evidenceLines(evidence: Evidence): string[] {
  const facts: string[] = [];
  const requestIds: string[] = [];
  const timings: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (key.endsWith('RequestId')) requestIds.push(`${escapeMrkdwn(label(key, 'RequestId'))} ${code(show(value))}`);
    else if (key.endsWith('Ms') && typeof value === 'number') timings.push(`${escapeMrkdwn(label(key, 'Ms'))} ${formatMs(value)}`);
    else facts.push(`${escapeMrkdwn(EVIDENCE_LABELS[key] ?? key)}: *${escapeMrkdwn(truncatePlain(show(value), 200))}*`);
  }
  const lines: string[] = [];
  if (facts.length > 0) lines.push(facts.join(' · '));
  if (requestIds.length > 0) lines.push(`Plaid request ids: ${requestIds.join(', ')}`);
  if (timings.length > 0) lines.push(`Timings: ${timings.join(', ')}`);
  return lines.map((l) => truncateMrkdwn(l, LIMITS.contextText));
}

function codatPortalBlocks(view: SetupView): KnownBlock[] {
  return [
    section(
      `*Values for the Codat Portal.* Secrets show by fingerprint only, to compare: copy the secrets themselves from ${PLAID_KEYS}.`,
    ),
    ...fieldSections(view.codatPortal.map((e) => `*${escapeMrkdwn(e.field)}*\n${code(truncatePlain(e.value, 500))}`)),
  ];
}

function productionText(view: SetupView): string | undefined {
  const p = view.production;
  if (!p) return undefined;
  const lines = [`*Production request* · requested by ${byAt(p.requestedBy, p.requestedAt)}`];
  if (p.note) lines.push(quote(p.note, FREE_TEXT_MAX));
  const because = p.reason ? `: ${escapeMrkdwn(truncatePlain(p.reason, FREE_TEXT_MAX))}` : '';
  switch (p.decision) {
    case undefined:
      lines.push(`Waiting for an approver other than ${who(p.requestedBy)}; expires ${slackDate(p.expiresAt)}.`);
      break;
    case 'approved':
      lines.push(`:white_check_mark: Approved by ${byAt(p.decidedBy, p.decidedAt)}${because}`);
      break;
    case 'rejected':
      lines.push(`:x: Rejected by ${byAt(p.decidedBy, p.decidedAt)}${because}`);
      break;
    case 'expired':
      lines.push(`:hourglass: Expired ${slackDate(p.decidedAt ?? p.expiresAt)}: no approver decided in time.`);
      break;
  }
  return lines.join('\n');
}

function rotationText(view: SetupView): string | undefined {
  const r = view.rotation;
  if (!r) return undefined;
  const mark = STATUS_MARK[r.status];
  const lines = [
    `*Secret rotation* · ${mark.emoji} ${mark.word}: new ${r.kind} secret ${code(r.fingerprint)}, by ${byAt(r.actor, r.at)}`,
  ];
  if (r.status === 'in_progress') lines.push('Plaid is checking the new secret; the current one stays in force until it passes.');
  if (r.error) lines.push(...problemLines(r.error));
  const retired = r.retirement;
  if (retired?.status === 'pending') lines.push(`Now delete the old ${r.kind} secret ${code(retired.secret.fingerprint)} under ${PLAID_KEYS}, then say so: plaid-setup checks that Plaid refuses it.`);
  if (retired?.status === 'checking') lines.push(`Checking that Plaid refuses the old secret ${code(retired.secret.fingerprint)}.`);
  if (retired?.status === 'confirmed') lines.push(`Old secret ${code(retired.secret.fingerprint)}: Plaid refuses it, as it should.`);
  if (retired?.error) lines.push(...problemLines(retired.error));
  return lines.join('\n');
}

function cancelledText(view: SetupView): string | undefined {
  const c = view.cancelled;
  if (view.status !== 'cancelled' || !c) return undefined;
  const because = c.reason ? `: ${escapeMrkdwn(truncatePlain(c.reason, FREE_TEXT_MAX))}` : '.';
  return `:no_entry: *Cancelled* by ${byAt(c.actor, c.at)}${because}\nTo try again, start a new setup with \`/plaid-setup start &lt;name&gt;\`.`;
}
