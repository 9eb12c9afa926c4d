/**
 * A setup's audit record: its timeline from Temporal history (every run) merged in time
 * order with its security events, exported as JSON, CSV (RFC 4180, by csv-stringify) or
 * Markdown for a person.
 */
import type { Client } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import { workflowIdFor } from '../shared/messages';
import type { StoredSecurityEvent } from './security-log';
import { timelineOf, type TimelineRow } from './timeline';

export const AUDIT_FORMATS = ['json', 'csv', 'md'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** One row of the record: from the workflow's history, or from the security log. */
export interface AuditRow {
  time: string;
  source: 'history' | 'security';
  actor: string;
  action: string;
  step: string;
  outcome: string;
  detail: string;
}

export const AUDIT_COLUMNS: ReadonlyArray<keyof AuditRow> = ['time', 'source', 'actor', 'action', 'step', 'outcome', 'detail'];

/** Every run of the setup's workflow, oldest first, as timeline rows. */
export async function historyTimeline(client: Client, setupId: string): Promise<TimelineRow[]> {
  const runs: Array<{ runId: string; start: number }> = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowIdFor(setupId).replace(/'/g, '')}'` })) {
    runs.push({ runId: wf.runId, start: wf.startTime.getTime() });
  }
  runs.sort((a, b) => a.start - b.start);
  const rows: TimelineRow[] = [];
  for (const run of runs) {
    const history = await client.workflow.getHandle(workflowIdFor(setupId), run.runId).fetchHistory();
    rows.push(...timelineOf(run.runId, history.events ?? []));
  }
  return rows;
}

export function mergeRecord(timeline: TimelineRow[], security: StoredSecurityEvent[]): AuditRow[] {
  const rows: AuditRow[] = [
    ...timeline.map((r) => ({ time: r.time, source: 'history' as const, actor: r.actor, action: r.action, step: r.step, outcome: r.outcome, detail: r.detail })),
    ...security.map((e) => ({
      time: e.at,
      source: 'security' as const,
      actor: e.actor ?? '(unverified request)',
      action: e.action ?? e.kind,
      step: '',
      outcome: e.kind.replace('_', ' '),
      detail: e.detail,
    })),
  ];
  // Stable: rows with the same time keep their source order.
  return rows.sort((a, b) => a.time.localeCompare(b.time));
}

export function formatRecord(format: AuditFormat, setupId: string, rows: AuditRow[]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ setupId, columns: AUDIT_COLUMNS, rows }, null, 2)}\n`;
    case 'csv':
      return stringify(rows, { header: true, columns: [...AUDIT_COLUMNS], record_delimiter: 'windows' });
    case 'md':
      return markdown(setupId, rows);
  }
}

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function markdown(setupId: string, rows: AuditRow[]): string {
  const lines = [
    `# Audit record: ${setupId}`,
    '',
    `${rows.length} events, oldest first. "history" rows come from the setup's Temporal workflow history; "security" rows from the hash-chained security log (check it with \`plaid-setup audit verify\`). Secrets appear only as fingerprints.`,
    '',
    '| time | source | actor | action | step | outcome | detail |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${AUDIT_COLUMNS.map((c) => cell(r[c])).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
