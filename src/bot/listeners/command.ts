/** `/plaid-setup ...`: help, list, status, history, start, and one subcommand per action. */
import type { App } from '@slack/bolt';
import { isPlaidSetupError } from '../../errors';
import type { Actor } from '../../shared/schemas';
import { SLASH_COMMAND } from '../../slack/ids';
import { headline } from '../../domain/headline';
import { checklistMessage, helpText, historyMessage } from '../../slack/views';
import { escapeMrkdwn } from '../../slack/views/text';
import { setupIdOf } from '../../temporal/client/setups';
import { parseSlashCommand } from '../commands';
import { MODAL_ACTIONS, type BotContext } from '../context';
import { type ActionName, declarationOf } from '../../shared/actions';

export function registerCommand(app: App, ctx: BotContext): void {
  const { setups } = ctx.deps;
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const tell = (text: string) => respond({ response_type: 'ephemeral', text }).then(() => undefined);
    const person = await ctx.personOf({ id: command.user_id, name: command.user_name });
    const { actor } = person;
    const parsed = parseSlashCommand(command.text);
    try {
      if (parsed.kind === 'help') {
        await tell(`${parsed.problem ? `${parsed.problem}\n\n` : ''}${helpText()}`);
        return;
      }
      // Reading setups needs a role too: names, client_ids and who acted are not for everyone.
      if ((parsed.kind === 'list' || parsed.kind === 'status') && !(await ctx.hasAnyRole(person, parsed.kind, tell))) return;
      switch (parsed.kind) {
        case 'list': {
          const views = await setups.list();
          await tell(views.length === 0 ? 'No setups yet. Start one with `/plaid-setup start &lt;name&gt;`.' : views.map((v) => `• *${escapeMrkdwn(v.name)}*: ${headline(v)} (${v.data.environment})`).join('\n'));
          return;
        }
        case 'history': {
          const setupId = setupIdOf(parsed.name);
          const rows = await ctx.recordFor(person, setupId, tell);
          if (!rows) return;
          const message = historyMessage(setupId, rows);
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
          return;
        }
        case 'status': {
          if (!parsed.name) {
            await tell('Say which setup: `/plaid-setup status &lt;name&gt;` (or `/plaid-setup list`).');
            return;
          }
          const view = await setups.view(setupIdOf(parsed.name));
          const message = checklistMessage(view);
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
          return;
        }
        case 'start': {
          if (!(await ctx.allowed(person, 'start', undefined, tell))) return;
          const setupId = setupIdOf(parsed.name);
          await setups.start(setupId, parsed.name, actor, { channel: command.channel_id }, person.groups);
          await tell(`Started setup *${setupId}*. Its checklist is in this channel; I keep it current.`);
          return;
        }
        case 'action': {
          const setupId = setupIdOf(parsed.name);
          if (!(await ctx.allowed(person, parsed.action, setupId, tell))) return;
          const { requestId, text } = splitRequestId(parsed.rest);
          const button = MODAL_ACTIONS.get(parsed.action);
          if (button) {
            await ctx.openModal(client, command.trigger_id, button, { setupId, channel: command.channel_id, ...(requestId ? { requestId } : {}) }, person, tell);
            return;
          }
          const args = commandArgs(parsed.action, actor, declarationOf(parsed.action).decision ? text : parsed.rest, requestId);
          await ctx.perform(setupId, parsed.action, args as never, { updateId: `slack-command-${command.trigger_id}`, groups: person.groups }, tell);
          return;
        }
      }
    } catch (err) {
      if (isPlaidSetupError(err)) await tell(err.message);
      else throw err;
    }
  });
}

/** `pr-2 looks good` → the request id and the rest; a decision names its request first. */
function splitRequestId(rest: string): { requestId?: string; text: string } {
  const match = /^(pr-[0-9]{1,6})(?:\s+|$)(.*)$/s.exec(rest.trim());
  return match ? { requestId: match[1] as string, text: match[2] as string } : { text: rest };
}

/** Arguments for an action typed as a slash subcommand: the request it decides, and the free text its surface takes. */
function commandArgs(action: ActionName, actor: Actor, rest: string, requestId?: string): Record<string, unknown> {
  const surface = declarationOf(action);
  const text = rest.trim();
  return { actor, ...(surface.decision && requestId ? { requestId } : {}), ...(surface.text && text ? { [surface.text]: text } : {}) };
}
