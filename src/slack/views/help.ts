/**
 * What `/plaid-setup help` says: every subcommand, including one per checklist action
 * (the same actions as the checklist's buttons).
 */
import { REDIRECT_URI, type ActionName } from '../../shared/schemas';
import { escapeMrkdwn } from './text';

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

/** One subcommand per action, in checklist order. */
export const ACTION_HELP: Readonly<Record<ActionName, HelpLine>> = {
  confirmRedirect: { usage: 'confirm-redirect <name>', what: `confirm ${REDIRECT_URI} is an allowed redirect URI in Plaid` },
  submitCredentials: { usage: 'credentials <name>', what: 'enter the client_id and Sandbox secret (opens a form)' },
  updateSettings: { usage: 'settings <name>', what: 'choose environment, country codes, sync mode, Link customization (opens a form)' },
  runSandboxTest: { usage: 'sandbox-test <name>', what: 'run the Sandbox test against Plaid' },
  confirmCodat: { usage: 'confirm-codat <name>', what: 'confirm the values (or the Production secret) are entered in the Codat Portal' },
  requestProduction: { usage: 'request-production <name> [note]', what: 'ask an approver to approve production' },
  approveProduction: { usage: 'approve <name>', what: 'approve production (approvers; not your own request)' },
  rejectProduction: { usage: 'reject <name>', what: 'reject production with a reason (approvers; opens a form)' },
  submitProductionSecret: { usage: 'production-secret <name>', what: 'enter the Production secret (opens a form)' },
  enable: { usage: 'enable <name>', what: 'enable the integration' },
  disable: { usage: 'disable <name> [reason]', what: 'disable the integration' },
  rotateSecret: { usage: 'rotate-secret <name>', what: 'replace the Sandbox or Production secret (opens a form)' },
  cancel: { usage: 'cancel <name> [reason]', what: 'cancel the setup for good' },
};

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
