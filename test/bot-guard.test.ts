/**
 * The bot's front door below Bolt: slash command parsing, and the request guard
 * (signature, five-minute window, replay against the replay store) that runs before Bolt.
 */
import { createHmac } from 'node:crypto';
import { parseSlashCommand } from '../src/bot/commands';
import { buttonAction } from '../src/slack/ids';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RequestGuard } from '../src/bot/guard';
import { ReplayStore } from '../src/bot/replay-store';

const SECRET = '8f742231b10e8888abcd99aaaaaa85a5';

let replays: ReplayStore;
beforeAll(async () => {
  replays = await ReplayStore.open(path.join(mkdtempSync(path.join(tmpdir(), 'replays-')), 'replays.sqlite'));
});
afterAll(() => replays.close());

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
    // Echoed back into a message: escaped, so `<!channel>` cannot become a mention (found by test/faults/fuzz.test.ts).
    expect(parseSlashCommand('<!channel> acme')).toEqual({ kind: 'help', problem: '"&lt;!channel&gt;" is not a /plaid-setup subcommand.' });
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
  const guard = () => new RequestGuard(SECRET, replays, () => now);
  const body = Buffer.from('token=x&command=%2Fplaid-setup&text=list');
  const ts = now / 1000;

  test('a correctly signed, fresh request passes once; the same bytes again are a replay', async () => {
    const g = guard();
    expect(await g.check(signed(body.toString(), ts), body)).toEqual({ ok: true });
    expect(await g.check(signed(body.toString(), ts), body)).toMatchObject({ ok: false, kind: 'replayed_request' });
  });

  test('a wrong secret or an altered body is forged', async () => {
    const g = guard();
    expect(await g.check(signed(body.toString(), ts, 'f'.repeat(32)), body)).toMatchObject({ ok: false, kind: 'forged_request' });
    expect(await g.check(signed(body.toString(), ts), Buffer.from(`${body.toString()}&x=1`))).toMatchObject({ ok: false, kind: 'forged_request' });
    expect(await g.check({ 'x-slack-request-timestamp': String(ts) }, body)).toMatchObject({ ok: false, kind: 'forged_request' });
  });

  test('outside five minutes is stale, whichever way', async () => {
    const g = guard();
    const other = Buffer.from('token=x&command=%2Fplaid-setup&text=status');
    expect(await g.check(signed(other.toString(), ts - 301), other)).toMatchObject({ ok: false, kind: 'stale_request' });
    expect(await g.check(signed(other.toString(), ts + 301), other)).toMatchObject({ ok: false, kind: 'stale_request' });
    expect(await g.check(signed(other.toString(), ts - 299), other)).toEqual({ ok: true });
  });
});

describe('RequestGuard replay store', () => {
  const start = 1_800_000_000_000;
  const request = (i: number, tsS: number) => {
    const body = Buffer.from(`token=x&command=%2Fplaid-setup&text=list&n=${i}`);
    return { headers: signed(body.toString(), tsS), body };
  };

  test('accepted requests are kept for the window, then deleted', async () => {
    const store = await ReplayStore.open(path.join(mkdtempSync(path.join(tmpdir(), 'replays-')), 'replays.sqlite'));
    try {
      let now = start;
      const g = new RequestGuard(SECRET, store, () => now);
      for (let i = 0; i < 50; i++) expect(await g.check(request(i, now / 1000).headers, request(i, now / 1000).body)).toEqual({ ok: true });
      expect(await store.size()).toBe(50);
      now += 301_000;
      const fresh = request(9999, now / 1000);
      expect(await g.check(fresh.headers, fresh.body)).toEqual({ ok: true });
      expect(await store.size()).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('two replicas on one store: a request either one took is a replay at the other, and of two racing on it exactly one wins', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'replays-')), 'replays.sqlite');
    const [one, two] = [await ReplayStore.open(file), await ReplayStore.open(file)];
    try {
      const now = start;
      const a = new RequestGuard(SECRET, one, () => now);
      const b = new RequestGuard(SECRET, two, () => now);
      const r = request(1, now / 1000);
      expect(await a.check(r.headers, r.body)).toEqual({ ok: true });
      expect(await b.check(r.headers, r.body)).toMatchObject({ ok: false, kind: 'replayed_request' });
      const raced = Array.from({ length: 20 }, (_, i) => request(100 + i, now / 1000));
      const verdicts = await Promise.all(raced.flatMap((q) => [a.check(q.headers, q.body), b.check(q.headers, q.body)]));
      expect(verdicts.filter((v) => v.ok)).toHaveLength(raced.length);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
