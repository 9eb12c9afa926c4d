/**
 * The bot's HTTP front door over real HTTP, without Temporal: every path spelling Bolt would
 * route goes through the request guard (so replays and unsigned requests are refused and
 * recorded), every other spelling is a quiet 404, bodies are capped and slow ones time out,
 * and user input never reaches Object.prototype through a lookup table.
 */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import type { DatabaseSecurityLog } from '../src/audit/security-log';
import type { BotDeps } from '../src/bot/app';
import { startBot, type RunningBot } from '../src/bot/server';
import { loadConfig } from '../src/config';
import { SlackDriver, SlackEmulator } from '../src/emulators/slack';
import { createLogger } from '../src/logger';
import { openReplayStore, openSecretLinkStore, openSecurityLog } from '../src/services';
import { RoleDirectory } from '../src/slack/directory';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET, users } from './support/slack-world';

const FORM = 'application/x-www-form-urlencoded';

interface FrontDoor {
  bot: RunningBot;
  driver: SlackDriver;
  slack: SlackEmulator;
  security: DatabaseSecurityLog;
  logLines: string[];
  /** Every call the bot made on the setups client: none of these tests may change a setup. */
  setupCalls: string[];
  port: number;
  close(): Promise<void>;
}

async function frontDoor(options: { readTimeoutMs?: number } = {}): Promise<FrontDoor> {
  const slack = await SlackEmulator.start({ botToken: BOT_TOKEN, users: Object.values(users), channels: [CHANNEL] });
  const config = loadConfig({
    PLAID_SETUP_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'front-door-')),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    PLAID_SETUP_OPERATORS: users.alice.id,
  });
  const logLines: string[] = [];
  const logger = createLogger('debug', (line) => void logLines.push(line));
  const security = await openSecurityLog(config, logger);
  const setupCalls: string[] = [];
  const setups = new Proxy(
    {},
    {
      get: (_target, name) => () => {
        setupCalls.push(String(name));
        return Promise.reject(new Error(`setups.${String(name)} called`));
      },
    },
  );
  const deps = { setups, audit: { record: () => Promise.resolve(undefined) }, vault: {}, directory: new RoleDirectory(new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl }), config), security, logger } as unknown as BotDeps;
  const replays = await openReplayStore(config);
  const linkStore = await openSecretLinkStore(config);
  const bot = await startBot(config.slack, { ...deps, replays, linkStore }, { host: '127.0.0.1', ...(options.readTimeoutMs ? { readTimeoutMs: options.readTimeoutMs } : {}) });
  const driver = await SlackDriver.start({ botUrl: bot.url as string, signingSecret: SIGNING_SECRET, emulator: slack });
  return {
    bot,
    driver,
    slack,
    security,
    logLines,
    setupCalls,
    port: Number(new URL(bot.url as string).port),
    async close() {
      await bot.stop();
      await driver.close();
      await security.close();
      await replays.close();
      await linkStore.close();
      await slack.close();
    },
  };
}

/** A raw HTTP/1.1 request, written byte for byte (so no client library normalises the target); resolves with the status. */
function rawRequest(port: number, head: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed request may be dropped before it is answered.
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0)));
  });
}

/** How many refusals of each kind the security log holds. */
async function refusals(security: DatabaseSecurityLog): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of await security.list()) counts[e.kind] = (counts[e.kind] ?? 0) + e.count;
  return counts;
}

let door: FrontDoor;
afterEach(async () => {
  await door?.close();
});

describe('only the path Bolt routes on reaches Bolt, and only through the guard', () => {
  // Bolt 5's HTTPReceiver routes on `new URL(req.url, 'http://localhost').pathname`, exactly
  // equal to an endpoint, for POST: dot segments (also %2e), a backslash, a query, a fragment
  // and the absolute form all resolve to /slack/events; a trailing or doubled slash, other
  // case and percent-encoded letters do not.
  const ROUTED = ['/slack/events', '/slack/events?x=1', '/slack/./events', '/slack/%2e/events', '/slack/x/../events', '/../slack/events', '/slack/events#x', 'http://evil.example/slack/events', '/slack\\events', '/secrets/../slack/events'];
  const NOT_ROUTED = ['/slack/events/', '//slack/events', '/slack/%65vents', '/SLACK/events', '/slack//events', '/slack/events;x', '/slack/events%23x', '/', '/slack', '/secrets'];

  test.each(ROUTED)('%s: a replayed or unsigned request is refused with 401 and recorded', async (target) => {
    door = await frontDoor();
    expect((await door.driver.slash(users.alice, 'help')).status).toBe(200);
    // The same signed bytes again, on this spelling of the path.
    expect(await replayOn(door, target)).toBe(401);
    const timestamp = Math.floor(Date.now() / 1000);
    const unsigned = await rawRequest(door.port, `POST ${target} HTTP/1.1\r\nContent-Type: ${FORM}\r\nX-Slack-Request-Timestamp: ${timestamp}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}`, 'command=%2Fplaid-setup&text=help');
    expect(unsigned).toBe(401);
    await door.bot.stop();
    expect(await refusals(door.security)).toEqual({ replayed_request: 1, forged_request: 1 });
  });

  test.each(NOT_ROUTED)('%s: 404 without Bolt and without an ERROR log line', async (target) => {
    door = await frontDoor();
    expect(await rawRequest(door.port, `POST ${target} HTTP/1.1\r\nContent-Type: ${FORM}`, 'command=%2Fplaid-setup&text=help')).toBe(404);
    expect(door.logLines.filter((l) => /^\[[^\]]+\] ERROR: /.test(l))).toEqual([]);
    await door.bot.stop();
    expect(await door.security.list()).toEqual([]);
  });

  test('other methods on the events path get 404, quietly', async () => {
    door = await frontDoor();
    for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS']) expect([method, await rawRequest(door.port, `${method} /slack/events HTTP/1.1`)]).toEqual([method, 404]);
    expect(door.logLines.filter((l) => /^\[[^\]]+\] ERROR: /.test(l))).toEqual([]);
  });
});

/** Sends the driver's last request again, byte for byte, to another spelling of the path. */
async function replayOn(d: FrontDoor, target: string): Promise<number> {
  const last = (d.driver as unknown as { last: { body: Buffer; headers: Record<string, string> } }).last;
  const headers = Object.entries(last.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return rawRequest(d.port, `POST ${target} HTTP/1.1\r\n${headers}`, last.body.toString('utf8'));
}

describe('request bodies are capped and must arrive in time', () => {
  test('a Content-Length over the cap is answered 413 before the body is read', async () => {
    door = await frontDoor();
    // Headers only: the answer comes without a byte of the declared 300 KiB body.
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(door.port, '127.0.0.1', () => socket.write(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: ${300 * 1024}\r\n\r\n`));
      socket.on('data', (c: Buffer) => {
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(c.toString('latin1'))?.[1] ?? 0));
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(status).toBe(413);
  }, 15_000);

  test('a 50 MB streamed body is cut off at the cap with 413, and memory stays flat', async () => {
    door = await frontDoor();
    const TOTAL = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const baseline = process.memoryUsage();
    let peak = 0;
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed - baseline.heapUsed + (m.arrayBuffers - baseline.arrayBuffers));
    }, 5);
    let written = 0;
    const status = await new Promise<number>((resolve) => {
      // No Content-Length: Node sends it chunked.
      const req = request({ host: '127.0.0.1', port: door.port, path: '/slack/events', method: 'POST', headers: { 'content-type': FORM }, agent: false }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      req.on('error', () => resolve(-1));
      const pump = () => {
        while (written < TOTAL && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    clearInterval(sample);
    expect(status).toBe(413);
    // The bot stopped reading: the client could not hand over the whole body, and neither side held it.
    expect(written).toBeLessThan(TOTAL / 2);
    expect(peak).toBeLessThan(TOTAL / 5);
  });

  test('a body that does not arrive in time is answered 408', async () => {
    door = await frontDoor({ readTimeoutMs: 200 });
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(door.port, '127.0.0.1', () => socket.write(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ncommand=`));
      socket.on('data', (c: Buffer) => {
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(c.toString('latin1'))?.[1] ?? 0));
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(status).toBe(408);
  }, 15_000);
});

describe('unauthenticated refusals are counted, not written one by one', () => {
  test('5,000 forged requests add a bounded number of rows, and their counts add up', async () => {
    door = await frontDoor();
    const FLOOD = 5_000;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const body = 'command=%2Fplaid-setup&text=cancel+acme&user_id=U0ALICE';
    const forged = () =>
      new Promise<number>((resolve, reject) => {
        const headers = { 'content-type': FORM, 'content-length': String(body.length), 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
        const req = request({ host: '127.0.0.1', port: door.port, path: '/slack/events', method: 'POST', headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const statuses = new Map<number, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < FLOOD) {
          sent += 1;
          const status = await forged();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    agent.destroy();
    expect([...statuses]).toEqual([[401, FLOOD]]);
    await door.bot.stop();
    const rows = await door.security.list();
    // Per minute the flood touched (one, or two across a boundary): the first refusal at once, then one counted row.
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.every((r) => r.kind === 'forged_request')).toBe(true);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(FLOOD);
    expect(rows[0]!.detail).toBe('The request signature does not match SLACK_SIGNING_SECRET. From 127.0.0.1.');
    expect(rows[1]!.detail).toMatch(/^\d+ more forged requests from 127\.0\.0\.1 in \d\d:\d\d UTC after the first one recorded \(\d+ in all\)\.$/);
    expect((await door.security.verify()).ok).toBe(true);
  });
});

describe('lookups keyed by user input never reach Object.prototype', () => {
  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('/plaid-setup %s acme gets the help', async (sub) => {
    door = await frontDoor();
    const sent = await door.driver.slash(users.alice, `${sub} acme`, { channel: CHANNEL });
    expect(sent.status).toBe(200);
    const told = await waitForResponse(door);
    expect(told).toContain(`is not a /plaid-setup subcommand`);
    expect(told).toContain('/plaid-setup start');
    expect(door.setupCalls).toEqual([]);
    await door.bot.stop();
    expect(await door.security.list()).toEqual([]);
  });

  test.each(['plaid_setup.constructor', 'plaid_setup.__proto__', 'plaid_setup.toString', 'plaid_setup.hasOwnProperty'])('a %s button is not one of mine and changes nothing', async (actionId) => {
    door = await frontDoor();
    const web = new WebClient(BOT_TOKEN, { slackApiUrl: door.slack.apiUrl });
    const posted = await web.chat.postMessage({
      channel: CHANNEL,
      text: 'bait',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: actionId, value: 'acme', text: { type: 'plain_text', text: 'Click' } }] }],
    });
    const clicked = await door.driver.click(users.alice, { channel: CHANNEL, ts: posted.ts as string }, actionId);
    expect(clicked.status).toBe(200);
    expect(await waitForResponse(door)).toContain('That button is not one of mine any more');
    expect(door.setupCalls).toEqual([]);
    await door.bot.stop();
    expect(await door.security.list()).toEqual([]);
  });
});

async function waitForResponse(d: FrontDoor): Promise<string> {
  for (let i = 0; i < 200 && d.driver.responses.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return JSON.stringify(d.driver.responses);
}
