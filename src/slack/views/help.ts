/**
 * What `/plaid-setup help` says: every subcommand, including one per checklist action
 * (the same actions as the checklist's buttons).
 */
import { escapeMrkdwn } from './text';
import { ACTION_NAMES, type ActionName, declarationOf } from '../../shared/actions';

interface HelpLine {
  usage: string;
  what: string;
}

export const GENERAL_COMMANDS: readonly HelpLine[] = [
  { usage: 'start <name>', what: 'start a setup and post its checklist in this channel' },
  { usage: 'status [name]', what: "show a setup's checklist (or every setup's status)" },
  { usage: 'list', what: 'list the setups and what each waits for' },
  { usage: 'history <name>', what: "a setup's audit record, with the full export as a file (auditors and operators)" },
  { usage: 'help', what: 'show this help' },
];

/** One subcommand per action, in checklist order, from their declarations (shared/actions.ts). */
export const ACTION_HELP: Readonly<Record<ActionName, HelpLine>> = Object.fromEntries(
  ACTION_NAMES.map((action) => {
    const s = declarationOf(action);
    // A decision with a form binds the request the form shows; without one it must name it.
    const usage = `${s.command} <name>${s.decision ? (s.form ? ' [request-id]' : ' <request-id>') : ''}${s.text ? ` [${s.text}]` : ''}`;
    return [action, { usage, what: `${s.summary}${s.form ? ' (opens a form)' : ''}` }];
  }),
) as Record<ActionName, HelpLine>;

const line = (l: HelpLine) => `• \`/plaid-setup ${escapeMrkdwn(l.usage)}\` · ${escapeMrkdwn(l.what)}`;

/** Slack mrkdwn (placeholders escaped, so `<name>` shows as typed). */
export function helpText(): string {
  return [
    '*/plaid-setup* takes a company through its Plaid integration, step by step.',
    ...GENERAL_COMMANDS.map(line),
    '',
    '*Steps* (the checklist buttons do the same):',
    ...Object.values(ACTION_HELP).map(line),
    '',
    'Secrets go straight to the encrypted vault; Slack only ever shows their fingerprints. Operators act on steps, approvers decide on production, auditors read.',
  ].join('\n');
}
