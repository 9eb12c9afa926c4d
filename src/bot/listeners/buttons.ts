/** Checklist and approval buttons: an action at once, or the modal that leads to it. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { buttonAction, parseButtonValue, type ButtonId } from '../../slack/ids';
import { MODAL_BUTTONS, tellerFor, type BotContext } from '../context';
import { type ActionArgs } from '../../shared/actions';

export function registerButtons(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(/^plaid_setup\./, async ({ body, action, ack, client, respond }) => {
    await ack();
    const button = action.action_id as ButtonId;
    const name = buttonAction(button);
    const target = parseButtonValue(action.value);
    const channel = body.channel?.id ?? body.container?.channel_id;
    const tell = tellerFor(client, body.user.id, channel, respond);
    if (!name || !target) {
      await tell('That button is not one of mine any more; run `/plaid-setup status &lt;name&gt;` for a fresh checklist.');
      return;
    }
    const { setupId, requestId } = target;
    const person = await ctx.personOf(body.user);
    if (!(await ctx.allowed(person, name, setupId, tell))) return;
    if (MODAL_BUTTONS.has(button)) {
      await ctx.openModal(client, body.trigger_id, button, { setupId, ...(channel ? { channel } : {}), ...(requestId ? { requestId } : {}) }, person, tell);
      return;
    }
    // A double click or a repeated delivery of a click on the same checklist version is one action.
    const updateId = `slack-click-${setupId}-${action.block_id}-${button}${requestId ? `-${requestId}` : ''}`;
    const args = { actor: person.actor, ...(requestId ? { requestId } : {}) };
    await ctx.perform(setupId, name, args as ActionArgs<typeof name>, { updateId, groups: person.groups }, tell);
  });
}
