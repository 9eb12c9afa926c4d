/**
 * The audit exports as a spreadsheet opens them: a CSV cell that starts like a formula is
 * neutralised (OWASP CSV injection), while Markdown and JSON keep the text as it was.
 */
import { formatRecord, mergeRecord } from '../src/audit/export';
import type { StoredSecurityEvent } from '../src/audit/security-log';

const HOSTILE = ['=HYPERLINK("http://x","y")', '@SUM(1)', '+1+2', '-2+3', '\tTAB', '\rCR'];

const events: StoredSecurityEvent[] = HOSTILE.map((text, i) => ({
  id: i + 1,
  at: `2026-12-02T14:0${i}:00.000Z`,
  kind: 'denied',
  actor: text,
  action: 'approveProduction',
  setupId: 'acme',
  detail: text,
  count: 1,
}));
const rows = mergeRecord('acme', [], events);

test('CSV cells starting with = + - @ tab or carriage return get a leading apostrophe', () => {
  const csv = formatRecord('csv', 'acme', rows);
  for (const text of HOSTILE) {
    expect(csv).toContain(`'${text.replace(/"/g, '""')}`);
    // No cell, quoted or not, starts with the raw text.
    expect(csv.split(/,|\r\n/).some((cell) => cell === text || cell === `"${text.replace(/"/g, '""')}"`)).toBe(false);
  }
  expect(csv).toContain('"\'=HYPERLINK(""http://x"",""y"")"');
  // Ordinary cells are untouched.
  expect(csv).toContain(',approveProduction,');
  expect(csv.startsWith('time,setup,source,actor,action,step,outcome,detail\r\n2026-12-02T14:00:00.000Z,acme,security,')).toBe(true);
});

test('Markdown and JSON are unchanged', () => {
  const json = JSON.parse(formatRecord('json', 'acme', rows)) as { rows: Array<{ actor: string; detail: string }> };
  expect(json.rows.map((r) => r.detail)).toEqual(HOSTILE);
  expect(json.rows.map((r) => r.actor)).toEqual(HOSTILE);
  const md = formatRecord('md', 'acme', rows);
  expect(md).toContain('| =HYPERLINK("http://x","y") |');
  expect(md).not.toContain("'=HYPERLINK");
  expect(md).toContain('| @SUM(1) |');
});
