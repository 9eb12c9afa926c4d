/**
 * Counting unauthenticated refusals, on a clock the test moves: the first of each group is
 * written at once, the rest of the minute as one counted row at the boundary or on close,
 * and at most maxSources addresses are told apart per minute. The codec endpoint counts its
 * refusals of requests without a valid token the same way.
 */
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainKeys } from '../src/audit/log-anchor';
import { OTHER_SOURCES, RefusalCounter } from '../src/audit/refusal-counter';
import { DatabaseSecurityLog, type StoredSecurityEvent } from '../src/audit/security-log';
import { createLogger } from '../src/logger';
import { startCodecServer } from '../src/temporal/codec/server';
import { issueCodecToken } from '../src/temporal/codec/token';
import { AesGcmPayloadCodec } from '../src/temporal/codec/payload-codec';

const T0 = Date.parse('2026-12-02T14:02:10.000Z');
let now = T0;
let log: DatabaseSecurityLog;
beforeEach(async () => {
  now = T0;
  log = await DatabaseSecurityLog.open(path.join(mkdtempSync(path.join(tmpdir(), 'refusals-')), 'security.sqlite'), chainKeys({ current: randomBytes(32) }));
});
afterEach(() => log.close());

const forged = (source: string) => ({ kind: 'forged_request' as const, source, detail: 'The request signature does not match SLACK_SIGNING_SECRET.' });
const total = (rows: StoredSecurityEvent[]) => rows.reduce((n, r) => n + r.count, 0);

test('the first refusal is written at once; the rest of the minute become one row at the boundary', async () => {
  const counter = new RefusalCounter(log, { now: () => now });
  await counter.refuse(forged('10.0.0.1'));
  expect((await log.list()).map((r) => [r.count, r.detail])).toEqual([[1, 'The request signature does not match SLACK_SIGNING_SECRET. From 10.0.0.1.']]);
  for (let i = 0; i < 36; i++) await counter.refuse(forged('10.0.0.1'));
  await counter.refuse({ kind: 'stale_request', source: '10.0.0.1', detail: 'The request timestamp is missing or more than five minutes from now.' });
  expect(await log.list()).toHaveLength(2);
  // The next minute's first refusal writes the last minute's counts first.
  now += 60_000;
  await counter.refuse(forged('10.0.0.1'));
  const rows = await log.list();
  expect(rows.map((r) => [r.kind, r.count])).toEqual([
    ['forged_request', 1],
    ['stale_request', 1],
    ['forged_request', 36],
    ['forged_request', 1],
  ]);
  expect(rows[2]!.detail).toBe('36 more forged requests from 10.0.0.1 in 14:02 UTC after the first one recorded (37 in all).');
  await counter.close();
  expect(total(await log.list())).toBe(39);
  expect((await log.verify()).ok).toBe(true);
});

test('beyond maxSources addresses in a minute, the rest share one "other sources" group', async () => {
  const counter = new RefusalCounter(log, { now: () => now, maxSources: 3 });
  for (let i = 0; i < 100; i++) await counter.refuse(forged(`10.0.0.${i % 10}`));
  await counter.close();
  const rows = await log.list();
  const sources = new Set(rows.map((r) => /from (\S+( sources)?)/i.exec(r.detail)?.[1]?.replace(/\.$/, '')));
  expect([...sources].sort()).toEqual(['10.0.0.0', '10.0.0.1', '10.0.0.2', OTHER_SOURCES]);
  // Three addresses and the rest: a first row and a counted row each.
  expect(rows).toHaveLength(8);
  expect(total(rows)).toBe(100);
});

test('close writes what is still counted, and counting again starts afresh', async () => {
  const counter = new RefusalCounter(log, { now: () => now });
  await counter.refuse({ kind: 'denied', source: '10.0.0.9', action: 'codec.decode', detail: 'No codec token.' });
  await counter.refuse({ kind: 'denied', source: '10.0.0.9', action: 'codec.decode', detail: 'No codec token.' });
  await counter.close();
  const rows = await log.list();
  expect(rows.map((r) => [r.kind, r.action, r.count])).toEqual([
    ['denied', 'codec.decode', 1],
    ['denied', 'codec.decode', 1],
  ]);
  expect(rows[1]!.detail).toBe('1 more refused requests (denied) from 10.0.0.9 in 14:02 UTC after the first one recorded (2 in all).');
});

test('a flood of codec requests without a valid token adds a bounded number of rows', async () => {
  const payloadKey = randomBytes(32);
  const server = await startCodecServer({
    codecs: [new AesGcmPayloadCodec({ current: payloadKey })],
    tokenKey: payloadKey,
    rolesOf: () => ['auditor'],
    origins: [],
    security: log,
    logger: createLogger('error', () => undefined),
    port: 0,
  });
  const forgedToken = issueCodecToken(randomBytes(32), 'U0DAVE', 60_000).token;
  const statuses: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(i % 2 === 0 ? { authorization: `Bearer ${forgedToken}` } : {}) };
    statuses.push((await fetch(`${server.url}/decode`, { method: 'POST', headers, body: '{"payloads":[]}' })).status);
  }
  await server.close();
  expect(new Set(statuses)).toEqual(new Set([401]));
  const rows = await log.list();
  // Two kinds (no token, forged token) from one address, in one or two minutes: a first row and a counted row each.
  expect(rows.length).toBeLessThanOrEqual(8);
  expect(total(rows.filter((r) => r.kind === 'forged_request'))).toBe(500);
  expect(total(rows.filter((r) => r.kind === 'denied'))).toBe(500);
  expect(rows[0]!.detail).toMatch(/^The codec token is not one plaid-setup signed \(it claims to be U0DAVE\); issue one with plaid-setup codec-token\. From 127\.0\.0\.1\.$/);
});
