/**
 * The bot's Home tab: the setups a person can see, each with its status and what happens
 * next, within Slack's 100-block limit.
 */
import type { HomeView, KnownBlock } from '@slack/types';
import type { SetupView } from './summary';
import { headline } from '../../domain/headline';
import { LIMITS, code, context, escapeMrkdwn, header, section, truncatePlain } from './text';

export interface HomeEntry {
  view: SetupView;
  /** What happens next, in words; defaults to what the current step asks for. */
  nextAction?: string;
}

export interface HomeUser {
  id: string;
  roles: string[];
}

function mark(view: SetupView): string {
  if (view.status === 'cancelled') return ':no_entry:';
  if (view.job) return ':hourglass_flowing_sand:';
  if (view.steps.some((s) => s.status === 'failed')) return ':x:';
  if (view.enabled) return ':large_green_circle:';
  return ':white_circle:';
}

function nextWords(entry: HomeEntry): string | undefined {
  if (entry.nextAction) return entry.nextAction;
  const v = entry.view;
  if (v.status === 'cancelled' || !v.currentStep) return undefined;
  return v.steps.find((s) => s.id === v.currentStep)?.detail;
}

function awaitsUser(view: SetupView, user: HomeUser): boolean {
  const p = view.production;
  return (
    view.status === 'active' &&
    user.roles.includes('approver') &&
    !!p &&
    !p.decision &&
    p.requestedBy.id !== user.id &&
    view.steps.find((s) => s.id === 'production_approval')?.status === 'in_progress'
  );
}

function entryBlock(entry: HomeEntry, user: HomeUser): KnownBlock {
  const v = entry.view;
  const lines = [
    `${mark(v)} *${escapeMrkdwn(v.name)}* ${code(v.setupId)} · ${escapeMrkdwn(headline(v))} · ${v.data.environment}${v.enabled ? ' · enabled' : ''}`,
  ];
  if (awaitsUser(v, user)) lines.push(':point_right: *Waiting for your approval.*');
  const next = nextWords(entry);
  if (next) lines.push(`*To do:* ${escapeMrkdwn(truncatePlain(next, 500))}`);
  return section(lines.join('\n'));
}

/** Active setups first, then the most recently changed. */
function order(a: HomeEntry, b: HomeEntry): number {
  if (a.view.status !== b.view.status) return a.view.status === 'active' ? -1 : 1;
  return Date.parse(b.view.lastChangeAt) - Date.parse(a.view.lastChangeAt);
}

export function homeView(entries: HomeEntry[], user: HomeUser): HomeView {
  const blocks: KnownBlock[] = [header('Plaid setups')];
  if (user.roles.length === 0) {
    blocks.push(
      section(
        'You have no plaid-setup role, so there is nothing to show. Ask an admin to add you to PLAID_SETUP_OPERATORS, PLAID_SETUP_APPROVERS or PLAID_SETUP_AUDITORS.',
      ),
    );
    return { type: 'home', blocks };
  }
  blocks.push(context([`Your roles: ${escapeMrkdwn(user.roles.join(', '))} · \`/plaid-setup help\` lists the commands.`]));
  if (entries.length === 0) {
    blocks.push(section('No setups yet. Start one with `/plaid-setup start &lt;name&gt;`.'));
    return { type: 'home', blocks };
  }
  const sorted = [...entries].sort(order);
  const room = LIMITS.surfaceBlocks - blocks.length;
  const shown = sorted.length <= room ? sorted : sorted.slice(0, room - 1);
  blocks.push(...shown.map((e) => entryBlock(e, user)));
  const hidden = sorted.length - shown.length;
  if (hidden > 0) blocks.push(context([`…and ${hidden} more. \`/plaid-setup list\` shows them all.`]));
  return { type: 'home', blocks };
}
