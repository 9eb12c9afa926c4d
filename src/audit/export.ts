/**
 * A setup's audit record: its timeline from Temporal history (every run) merged in time
 * order with its security events, exported as JSON, CSV (RFC 4180, by csv-stringify) or
 * Markdown for a person.
 */
import type { Client } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import { setupIdFromWorkflowId, workflowIdFor } from '../shared/messages';
import { setupsQuery } from '../shared/visibility';
import { decodeHistory } from './decode-history';
import type { SecurityLog, StoredSecurityEvent } from './security-log';
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

/**
 * Every run of the setup's workflow, oldest first, as timeline rows. Payloads are decoded
 * through the client's own codecs, so an encrypted history reads like a plain one.
 */
export async function historyTimeline(client: Client, setupId: string): Promise<TimelineRow[]> {
  const runs: Array<{ runId: string; start: number }> = [];
  for await (const wf of client.workflow.list({ query: setupsQuery({ setupId }) })) {
    runs.push({ runId: wf.runId, start: wf.startTime.getTime() });
  }
  runs.sort((a, b) => a.start - b.start);
  const rows: TimelineRow[] = [];
  for (const run of runs) {
    const history = await client.workflow.getHandle(workflowIdFor(setupId), run.runId).fetchHistory();
    const events = await decodeHistory(history.events ?? [], client.options.loadedDataConverter.payloadCodecs);
    rows.push(...timelineOf(run.runId, events));
  }
  return rows;
}

/** Every setup id with a workflow, for a period review. */
export async function allSetupIds(client: Client): Promise<string[]> {
  const ids = new Set<string>();
  for await (const wf of client.workflow.list({ query: setupsQuery({}) })) {
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
      outcome: e.kind.replaceAll('_', ' '),
      detail: e.detail,
    })),
  ];
  return inTimeOrder(rows);
}

/** Where the bot reads a setup's record from (Temporal and the security log in production). */
export interface AuditSource {
  record(setupId: string): Promise<AuditRow[] | undefined>;
}

export function auditSource(client: Client, security: SecurityLog): AuditSource {
  return { record: (setupId) => setupRecord(client, security, setupId) };
}

/** One setup's record; undefined when the setup never had a workflow. */
export async function setupRecord(client: Client, security: SecurityLog, setupId: string): Promise<AuditRow[] | undefined> {
  const timeline = await historyTimeline(client, setupId);
  if (timeline.length === 0) return undefined;
  return mergeRecord(setupId, timeline, await security.list({ setupId }));
}

/**
 * Every setup's record for a period review, with the security events that belong to no
 * setup (unverified requests, codec and key errors), from `sinceMs` on.
 */
export async function periodRecord(client: Client, security: SecurityLog, sinceMs?: number): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  for (const setupId of await allSetupIds(client)) {
    rows.push(...mergeRecord(setupId, await historyTimeline(client, setupId), await security.list({ setupId })));
  }
  rows.push(...mergeRecord('', [], (await security.list()).filter((e) => !e.setupId)));
  return inTimeOrder(rows.filter((r) => sinceMs === undefined || Date.parse(r.time) >= sinceMs));
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
      return stringify(rows.map(neutralised), { header: true, columns: [...AUDIT_COLUMNS], record_delimiter: 'windows' });
    case 'md':
      return markdown(title, rows);
  }
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or tab or carriage return, which some
 * strip first) as a formula; actors and details can come from anyone, so such a cell gets
 * a leading apostrophe (OWASP, CSV injection). Only for CSV: it is what spreadsheets open.
 */
function neutralised(row: AuditRow): AuditRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]: [string, string]) => [k, /^[=+\-@\t\r]/.test(v) ? `'${v}` : v])) as unknown as AuditRow;
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
