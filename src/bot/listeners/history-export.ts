/** The history summary's export buttons: the full record as a file, in a direct message. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { formatRecord, type AuditFormat } from '../../audit/export';
import { slackErrorName } from '../../slack/client';
import { HISTORY_EXPORTS, parseButtonValue } from '../../slack/ids';
import { tellerFor, type BotContext } from '../context';

export function registerHistoryExport(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(/^plaid_setup_history\./, async ({ body, action, ack, client, respond }) => {
    await ack();
    const format = (Object.keys(HISTORY_EXPORTS) as AuditFormat[]).find((f) => HISTORY_EXPORTS[f] === action.action_id);
    const setupId = parseButtonValue(action.value)?.setupId;
    const tell = tellerFor(client, body.user.id, body.channel?.id ?? body.container?.channel_id, respond);
    if (!format || !setupId) {
      await tell('That button is not one of mine any more; run `/plaid-setup history &lt;name&gt;` again.');
      return;
    }
    const rows = await ctx.recordFor(await ctx.personOf(body.user), setupId, tell);
    if (!rows) return;
    try {
      const dm = await client.conversations.open({ users: body.user.id });
      await client.filesUploadV2({
        channel_id: dm.channel?.id as string,
        filename: `plaid-setup-audit-${setupId}.${format}`,
        title: `Audit record: ${setupId}`,
        content: formatRecord(format, setupId, rows),
        initial_comment: `The audit record of *${setupId}*: ${rows.length} events, oldest first.`,
      });
    } catch (err) {
      const error = slackErrorName(err);
      if (!error) throw err;
      ctx.deps.logger.warn('History export not sent', { setupId, error });
      await tell(
        error === 'missing_scope'
          ? "I couldn't send the file: this Slack app lacks the files:write scope. An admin should add it (slack/manifest.yml has it) and reinstall the app."
          : `I couldn't send the file: Slack answered ${error}. Try again in a moment, or run \`plaid-setup audit ${setupId}\` for the same record.`,
      );
      return;
    }
    await tell(`Sent the audit record of *${setupId}* (${format.toUpperCase()}, ${rows.length} events) to you in a direct message.`);
  });
}
