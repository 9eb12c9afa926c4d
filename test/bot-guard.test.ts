/**
 * The pure parts of the bot's front door: slash command parsing, and the request guard
 * (signature, five-minute window, replay) that runs before Bolt.
 */
import { createHmac } from 'node:crypto';
import { parseSlashCommand } from '../src/bot/commands';
import { buttonAction } from '../src/slack/ids';
import { RequestGuard } from '../src/bot/guard';

const SECRET = '8f742231b10e8888abcd99aaaaaa85a5';

function signed(body: string, timestamp: number, secret = SECRET) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

describe('parseSlashCommand', () => {
  test.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['list', { kind: 'list' }],
    ['status', { kind: 'status' }],
    ['status acme', { kind: 'status', name: 'acme' }],
    ['start Acme Ltd', { kind: 'start', name: 'Acme Ltd' }],
    ['enable acme', { kind: 'action', action: 'enable', name: 'acme', rest: '' }],
    ['disable acme bank holiday', { kind: 'action', action: 'disable', name: 'acme', rest: 'bank holiday' }],
    ['REQUEST-PRODUCTION acme ready now', { kind: 'action', action: 'requestProduction', name: 'acme', rest: 'ready now' }],
  ])('%j', (text, expected) => {
    expect(parseSlashCommand(text)).toEqual(expected);
  });

  test('unknown or incomplete input gets help with what to type', () => {
    expect(parseSlashCommand('frobnicate acme')).toEqual({ kind: 'help', problem: '"frobnicate" is not a /plaid-setup subcommand.' });
    expect(parseSlashCommand('enable')).toEqual({ kind: 'help', problem: 'Say which setup: `/plaid-setup enable &lt;name&gt;`.' });
    expect(parseSlashCommand('start')).toMatchObject({ kind: 'help', problem: expect.stringMatching(/Give the new setup a name/) });
  });

  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])('%s is not a subcommand (no Object.prototype member)', (sub) => {
    expect(parseSlashCommand(`${sub} acme`)).toEqual({ kind: 'help', problem: `"${sub.toLowerCase()}" is not a /plaid-setup subcommand.` });
  });
});

test.each(['plaid_setup.constructor', 'plaid_setup.__proto__', 'constructor', '__proto__', 'toString'])('button %s leads to no action', (id) => {
  expect(buttonAction(id)).toBeUndefined();
});

describe('RequestGuard', () => {
  const now = 1_800_000_000_000;
  const guard = () => new RequestGuard(SECRET, () => now);
  const body = Buffer.from('token=x&command=%2Fplaid-setup&text=list');
  const ts = now / 1000;

  test('a correctly signed, fresh request passes once; the same bytes again are a replay', () => {
    const g = guard();
    expect(g.check(signed(body.toString(), ts), body)).toEqual({ ok: true });
    expect(g.check(signed(body.toString(), ts), body)).toMatchObject({ ok: false, kind: 'replayed_request' });
  });

  test('a wrong secret or an altered body is forged', () => {
    const g = guard();
    expect(g.check(signed(body.toString(), ts, 'f'.repeat(32)), body)).toMatchObject({ ok: false, kind: 'forged_request' });
    expect(g.check(signed(body.toString(), ts), Buffer.from(`${body.toString()}&x=1`))).toMatchObject({ ok: false, kind: 'forged_request' });
    expect(g.check({ 'x-slack-request-timestamp': String(ts) }, body)).toMatchObject({ ok: false, kind: 'forged_request' });
  });

  test('a timestamp more than five minutes away is stale, even when signed', () => {
    const g = guard();
    expect(g.check(signed(body.toString(), ts - 301), body)).toMatchObject({ ok: false, kind: 'stale_request' });
    expect(g.check(signed(body.toString(), ts + 301), body)).toMatchObject({ ok: false, kind: 'stale_request' });
    expect(g.check(signed(body.toString(), ts - 299), body)).toEqual({ ok: true });
  });
});

describe('RequestGuard replay cache', () => {
  const start = 1_800_000_000_000;
  const request = (i: number, tsS: number) => {
    const body = Buffer.from(`token=x&command=%2Fplaid-setup&text=list&n=${i}`);
    return { headers: signed(body.toString(), tsS), body };
  };

  test('entries expire after the window', () => {
    let now = start;
    const g = new RequestGuard(SECRET, () => now, 1_000);
    for (let i = 0; i < 500; i++) expect(g.check(request(i, now / 1000).headers, request(i, now / 1000).body)).toEqual({ ok: true });
    expect(g.remembered).toBe(500);
    now += 301_000;
    const fresh = request(9999, now / 1000);
    expect(g.check(fresh.headers, fresh.body)).toEqual({ ok: true });
    expect(g.remembered).toBe(1);
  });

  test('the cache never holds more than its maximum, and an evicted request still cannot be replayed', () => {
    let now = start;
    const max = 1_000;
    const g = new RequestGuard(SECRET, () => now, max);
    const sent: Array<ReturnType<typeof request>> = [];
    // 5,000 distinct, correctly signed requests within one window, a second apart per hundred.
    for (let i = 0; i < 5_000; i++) {
      if (i % 100 === 0) now += 1_000;
      const r = request(i, Math.floor(now / 1000));
      sent.push(r);
      g.check(r.headers, r.body);
      expect(g.remembered).toBeLessThanOrEqual(max);
    }
    // Every one of them, sent again inside the window, is refused: the remembered ones as
    // replays, the evicted ones because the floor rose past their timestamps.
    for (const r of sent) expect(g.check(r.headers, r.body)).toMatchObject({ ok: false });
    expect(g.check(sent[0]!.headers, sent[0]!.body)).toMatchObject({ ok: false, kind: 'stale_request' });
    expect(g.check(sent[4_999]!.headers, sent[4_999]!.body)).toMatchObject({ ok: false, kind: 'replayed_request' });
    // A fresh request (a newer timestamp) is still accepted.
    now += 1_000;
    const next = request(5_000, Math.floor(now / 1000));
    expect(g.check(next.headers, next.body)).toEqual({ ok: true });
    expect(g.remembered).toBeLessThanOrEqual(max);
  });
});
