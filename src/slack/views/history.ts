/**
 * `/plaid-setup history <name>`: the audit record's summary as an ephemeral message, with
 * buttons that send the full export as a file. Built from the same rows as
 * `plaid-setup audit`, so Slack and the CLI never tell different stories.
 */
import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { AuditFormat, AuditRow } from '../../audit/export';
import { HISTORY_EXPORTS } from '../ids';
import { LIMITS, context, escapeMrkdwn, header, plain, section, slackDate, truncatePlain } from './text';

/** How many of the latest events the summary lists; the file has them all. */
export const HISTORY_LATEST = 15;

const FORMAT_LABELS: Record<AuditFormat, string> = { md: 'Markdown', csv: 'CSV', json: 'JSON' };

function eventLine(row: AuditRow): string {
  const what = `${row.action}${row.step ? ` (${row.step})` : ''}${row.outcome ? `: ${row.outcome}` : ''}`;
  const detail = row.detail ? ` · ${escapeMrkdwn(truncatePlain(row.detail, 140))}` : '';
  return `${slackDate(row.time)} · ${escapeMrkdwn(row.actor)} · *${escapeMrkdwn(what)}*${detail}`;
}

export function historyMessage(setupId: string, rows: AuditRow[]): { text: string; blocks: KnownBlock[] } {
  const security = rows.filter((r) => r.source === 'security').length;
  const latest = rows.slice(-HISTORY_LATEST);
  const first = rows[0];
  const last = rows.at(-1);
  const span = first && last ? `from ${slackDate(first.time)} to ${slackDate(last.time)}` : '';
  const lines = latest.map(eventLine);
  // Oldest lines go first when a long detail pushes past a section's limit.
  while (lines.join('\n').length > LIMITS.sectionText - 100 && lines.length > 1) lines.shift();
  const buttons: ActionsBlock = {
    type: 'actions',
    block_id: 'history-export',
    elements: (Object.keys(HISTORY_EXPORTS) as AuditFormat[]).map((format) => ({
      type: 'button',
      action_id: HISTORY_EXPORTS[format],
      text: plain(`${FORMAT_LABELS[format]} file`, LIMITS.buttonText),
      value: setupId,
    })),
  };
  const text = `Audit record of ${setupId}: ${rows.length} events (${security} security events).`;
  return {
    text,
    blocks: [
      header(`Audit record: ${setupId}`),
      section(`*${rows.length}* events ${span}: *${rows.length - security}* from the workflow's history, *${security}* from the security log.`),
      section(`*Latest ${lines.length}:*\n${lines.join('\n')}`),
      buttons,
      context(['The file has every event, oldest first; I send it to you in a direct message. Secrets appear only as fingerprints. Check the security log with `plaid-setup audit verify`.']),
    ],
  };
}
