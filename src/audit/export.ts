/**
 * A setup's audit record: its timeline from Temporal history (every run) merged in time
 * order with its security events, exported as JSON, CSV (RFC 4180, by csv-stringify) or
 * Markdown for a person.
 */
import type { Client } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import { setupIdFromWorkflowId, workflowIdFor, WORKFLOW_TYPE } from '../shared/messages';
import type { StoredSecurityEvent } from './security-log';
import { timelineOf, type TimelineRow } from './timeline';

export const AUDIT_FORMATS = ['json', 'csv', 'md'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** One row of the record: from the workflow's history, or from the security log. */
export interface AuditRow {
  time: string;
  setup: string;
  source: 'history' | 'security';
  actor: string;
  action: string;
  step: string;
  outcome: string;
  detail: string;
}

export const AUDIT_COLUMNS: ReadonlyArray<keyof AuditRow> = ['time', 'setup', 'source', 'actor', 'action', 'step', 'outcome', 'detail'];

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

/** Every setup id with a workflow, for a period review. */
export async function allSetupIds(client: Client): Promise<string[]> {
  const ids = new Set<string>();
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}'` })) {
    const id = setupIdFromWorkflowId(wf.workflowId);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

export function mergeRecord(setupId: string, timeline: TimelineRow[], security: StoredSecurityEvent[]): AuditRow[] {
  const rows: AuditRow[] = [
    ...timeline.map((r) => ({ time: r.time, setup: setupId, source: 'history' as const, actor: r.actor, action: r.action, step: r.step, outcome: r.outcome, detail: r.detail })),
    ...security.map((e) => ({
      time: e.at,
      setup: e.setupId ?? '',
      source: 'security' as const,
      actor: e.actor ?? '(unverified request)',
      action: e.action ?? e.kind,
      step: '',
      outcome: e.kind.replace('_', ' '),
      detail: e.detail,
    })),
  ];
  return inTimeOrder(rows);
}

/** Rows in time order (stable), from several setups or sources. */
export function inTimeOrder(rows: AuditRow[]): AuditRow[] {
  return [...rows].sort((a, b) => a.time.localeCompare(b.time));
}

/**
 * The record as text. JSON: `{ title, columns, rows }`, each row an object with the columns
 * below (time ISO 8601; source "history" or "security"). CSV: RFC 4180 with a header row
 * and CRLF line ends. Markdown: a table for a person.
 */
export function formatRecord(format: AuditFormat, title: string, rows: AuditRow[]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ title, columns: AUDIT_COLUMNS, rows }, null, 2)}\n`;
    case 'csv':
      return stringify(rows, { header: true, columns: [...AUDIT_COLUMNS], record_delimiter: 'windows' });
    case 'md':
      return markdown(title, rows);
  }
}

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function markdown(title: string, rows: AuditRow[]): string {
  const lines = [
    `# Audit record: ${title}`,
    '',
    `${rows.length} events, oldest first. "history" rows come from the setup's Temporal workflow history; "security" rows from the hash-chained security log (check it with \`plaid-setup audit verify\`). Secrets appear only as fingerprints.`,
    '',
    `| ${AUDIT_COLUMNS.join(' | ')} |`,
    `| ${AUDIT_COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${AUDIT_COLUMNS.map((c) => cell(r[c])).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
