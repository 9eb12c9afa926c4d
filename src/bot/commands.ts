import { type ActionName, COMMAND_ACTIONS } from '../shared/actions';
import { escapeMrkdwn } from '../slack/views/text';

/**
 * `/plaid-setup` text, parsed: a subcommand and its arguments. Anything else is `help`
 * with the reason, so the user is told what to type.
 */


export type SlashCommand =
  | { kind: 'start'; name: string }
  | { kind: 'status'; name?: string }
  | { kind: 'list' }
  | { kind: 'history'; name: string }
  | { kind: 'help'; problem?: string }
  | { kind: 'action'; action: ActionName; name: string; rest: string };

export function parseSlashCommand(text: string): SlashCommand {
  const [word = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const sub = word.toLowerCase();
  const name = args[0];
  const rest = args.slice(1).join(' ').slice(0, 500);
  switch (sub) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'list':
      return { kind: 'list' };
    case 'status':
      return name ? { kind: 'status', name } : { kind: 'status' };
    case 'history':
      return name ? { kind: 'history', name } : { kind: 'help', problem: 'Say which setup: `/plaid-setup history &lt;name&gt;`.' };
    case 'start':
      return name ? { kind: 'start', name: args.join(' ').slice(0, 100) } : { kind: 'help', problem: 'Give the new setup a name: `/plaid-setup start acme`.' };
  }
  // Own keys only: `constructor` or `__proto__` would otherwise find Object.prototype's members.
  const action = COMMAND_ACTIONS.get(sub);
  // Escaped: the word goes back into a message, where `<!channel>` would be mrkdwn.
  if (!action) return { kind: 'help', problem: `"${escapeMrkdwn(sub.slice(0, 40))}" is not a /plaid-setup subcommand.` };
  if (!name) return { kind: 'help', problem: `Say which setup: \`/plaid-setup ${sub} &lt;name&gt;\`.` };
  return { kind: 'action', action, name, rest };
}
