/**
 * Temporal payload encryption: the AES-GCM codec on its own (rotation, tampering, an
 * unknown key), then a real worker and client encrypting a setup's history on the dev
 * server, the audit export reading it back through the same codec, and the codec endpoint
 * serving the real Temporal CLI and a browser to those allowed, and only to them.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chainKeys } from '../src/audit/log-anchor';
import { DatabaseSecurityLog } from '../src/audit/security-log';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { SECURITY_LOG_FILE } from '../src/services';
import type { Role } from '../src/shared/schemas';
import { TEMPORAL_CLI } from '../src/temporal/provisioning/binaries';
import { startCodecServer, type RunningCodecServer } from '../src/temporal/codec/server';
import { checkCodecToken, issueCodecToken } from '../src/temporal/codec/token';
import { dataConverterFor } from '../src/temporal/codec/data-converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, payloadKeyId } from '../src/temporal/codec/payload-codec';
import { workflowIdFor } from '../src/shared/messages';
import { runCli } from './support/cli';
import { encryptingWorkflowBundle } from './support/env';
import { type Harness, actors, decodedJson, newSecret } from './support/harness';
import { useWorld } from './support/world';

const plain = (text: string): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) });
const utf8 = (p: Payload) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');

describe('the AES-GCM payload codec', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  test('encrypts every payload under the current key and opens it again', async () => {
    const codec = new AesGcmPayloadCodec({ current: keyA });
    const [sealed] = await codec.encode([plain('approved after a call with Plaid')]);
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe(payloadKeyId(keyA));
    expect(utf8(sealed!)).not.toContain('approved');
    const [opened] = await codec.decode([sealed!]);
    expect(JSON.parse(utf8(opened!))).toBe('approved after a call with Plaid');
    expect(Buffer.from(opened!.metadata!.encoding!).toString()).toBe('json/plain');
  });

  test('two encryptions of the same payload differ (a fresh IV each time)', async () => {
    const codec = new AesGcmPayloadCodec({ current: keyA });
    const [one, two] = await codec.encode([plain('same'), plain('same')]);
    expect(Buffer.compare(Buffer.from(one!.data!), Buffer.from(two!.data!))).not.toBe(0);
  });

  test('payloads written before the key was set pass through', async () => {
    const codec = new AesGcmPayloadCodec({ current: keyA });
    const [opened] = await codec.decode([plain('old')]);
    expect(JSON.parse(utf8(opened!))).toBe('old');
  });

  test('after a rotation the previous key still opens old payloads; a key that is gone is named', async () => {
    const [old] = await new AesGcmPayloadCodec({ current: keyA }).encode([plain('written under A')]);
    const rotated = new AesGcmPayloadCodec({ current: keyB, previous: keyA });
    expect(JSON.parse(utf8((await rotated.decode([old!]))[0]!))).toBe('written under A');
    await expect(new AesGcmPayloadCodec({ current: keyB }).decode([old!])).rejects.toMatchObject({
      code: 'PAYLOAD_KEY_UNKNOWN',
      message: expect.stringContaining(payloadKeyId(keyA)),
    });
  });

  test('an altered payload fails its integrity check and the error holds no plaintext', async () => {
    const codec = new AesGcmPayloadCodec({ current: keyA });
    const [sealed] = await codec.encode([plain('do not show me')]);
    const data = Buffer.from(sealed!.data!);
    data[20] = (data[20] ?? 0) ^ 1;
    const err = await codec.decode([{ ...sealed!, data }]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'PAYLOAD_DECRYPT_FAILED' });
    expect((err as Error).message).not.toContain('do not show me');
  });

  test('a key that is not 32 bytes is refused', () => {
    expect(() => new AesGcmPayloadCodec({ current: randomBytes(16) })).toThrow(/32 bytes/);
  });
});

describe('codec tokens', () => {
  const key = randomBytes(32);

  test('a token names its bearer and expires', () => {
    const { token } = issueCodecToken(key, 'U0DAVE', 60_000, 1_000_000);
    expect(checkCodecToken(key, token, 1_000_000)).toMatchObject({ ok: true, claims: { sub: 'U0DAVE' } });
    expect(checkCodecToken(key, token, 1_000_000 + 60_000)).toMatchObject({ ok: false, reason: 'expired', sub: 'U0DAVE' });
  });

  test('a token signed with another key, edited, or malformed is refused', () => {
    const { token } = issueCodecToken(randomBytes(32), 'U0DAVE', 60_000);
    expect(checkCodecToken(key, token)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const [prefix, , mac] = issueCodecToken(key, 'U0DAVE', 60_000).token.split('.');
    const edited = `${prefix}.${Buffer.from(JSON.stringify({ sub: 'U0ALICE', iat: 1, exp: 9_999_999_999 })).toString('base64url')}.${mac}`;
    expect(checkCodecToken(key, edited)).toMatchObject({ ok: false, reason: 'bad_signature' });
    for (const bad of ['', 'pscodec', 'pscodec.x.y', 'Bearer abc', 'pscodec.a.b.c']) expect(checkCodecToken(key, bad)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('an encrypted setup on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  useWorld((w) => ({ env, h } = w));

  const payloadKey = randomBytes(32);
  const COMMENT = `checked the dashboard ${newSecret()}`;
  const roles: Record<string, Role[]> = { U0DAVE: ['auditor'], U0ALICE: ['operator'], U0BOB: ['approver'] };

  function config() {
    return loadConfig({ PLAID_SETUP_DATA_DIR: h.dataDir, PLAID_SETUP_PAYLOAD_KEY: payloadKey.toString('base64') });
  }

  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(args, {
      PLAID_SETUP_DATA_DIR: h.dataDir,
      PLAID_SETUP_MASTER_KEY: h.key.toString('base64'),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      PLAID_SETUP_OPERATORS: 'U0ALICE',
      PLAID_SETUP_APPROVERS: 'U0BOB',
      PLAID_SETUP_AUDITORS: 'U0DAVE',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    });
  const withKey = { PLAID_SETUP_PAYLOAD_KEY: payloadKey.toString('base64') };

  /** A setup with a failed check (a failure message), a fixed one, and an approval comment. */
  async function encryptedJourney(setupId: string): Promise<void> {
    const dataConverter = dataConverterFor(config());
    h.temporal = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const worker = await h.worker({ dataConverter, workflowBundle: await encryptingWorkflowBundle() });
    await worker.runUntil(async () => {
      await h.start(setupId);
      await h.act(setupId, 'confirmRedirect', { actor: actors.alice });
      await h.act(setupId, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(setupId, 'sandbox', newSecret()) });
      await h.act(setupId, 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
      await h.act(setupId, 'runSandboxTest', { actor: actors.alice });
      const failed = await h.until(setupId, (s) => !s.job, 'the failed test');
      expect(failed.steps.find((s) => s.id === 'sandbox_test')?.error?.code).toBe('INVALID_API_KEYS');
      await h.act(setupId, 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret(setupId, 'sandbox') });
      await h.act(setupId, 'runSandboxTest', { actor: actors.alice });
      await h.until(setupId, (s) => !s.job, 'the passing test');
      await h.act(setupId, 'confirmCodat', { actor: actors.alice });
      await h.act(setupId, 'requestProduction', { actor: actors.alice });
      await h.act(setupId, 'approveProduction', { actor: actors.bob, comment: COMMENT });
    });
  }

  async function rawHistory(setupId: string) {
    return env.client.workflow.getHandle(workflowIdFor(setupId)).fetchHistory();
  }

  test('history holds only ciphertext, and the audit export reads it through the same codec', async () => {
    await encryptedJourney('sealed');
    const raw = await rawHistory('sealed');
    const text = decodedJson(raw);
    // Booleans, so a failure does not print a 100 kB history.
    for (const visible of [COMMENT, 'Alice', 'INVALID_API_KEYS', 'First Platypus Bank', h.clientId]) expect([visible, text.includes(visible)]).toEqual([visible, false]);
    // Only search attributes (plain by design: they are indexed; the SDK adds the patches a
    // run has as TemporalChangeVersion) and the SDK's patch markers (a patch's name and
    // whether it is deprecated) keep a readable encoding.
    const encodings = [...text.matchAll(/"encoding":"([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString());
    expect(new Set(encodings)).toEqual(new Set([ENCRYPTED_ENCODING, 'json/plain']));
    const plainCount = encodings.filter((e) => e === 'json/plain').length;
    const markers = (raw.events ?? []).flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => d.payloads ?? []));
    for (const payload of markers) expect(['lazy-timers', 'codat-readback']).toContain(JSON.parse(Buffer.from(payload.data!).toString()).id);
    expect(plainCount).toBe([...text.matchAll(/"type":"(Qm9vbA==|S2V5d29yZA==|S2V5d29yZExpc3Q=)"/g)].length + markers.length);

    const md = await cli(['audit', 'sealed'], withKey);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(COMMENT);
    expect(md.stdout).toMatch(/Bob \(U0BOB\) \| approveProduction/);
    // The failure message travelled encoded, and reads back whole.
    expect(md.stdout).toMatch(/INVALID_API_KEYS: .*\(Plaid request [A-Za-z0-9]+\)/);

    const without = await cli(['audit', 'sealed']);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/This history is encrypted and no payload key is set here: set PLAID_SETUP_PAYLOAD_KEY/);
    const wrong = await cli(['audit', 'sealed'], { PLAID_SETUP_PAYLOAD_KEY: randomBytes(32).toString('base64') });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(payloadKeyId(payloadKey));
  });

  test('plaid-setup codec-token issues a token to auditors and operators only', async () => {
    const issued = await cli(['codec-token', '--as', 'U0DAVE', '--ttl', '1h'], withKey);
    expect(issued.code).toBe(0);
    expect(issued.stderr).toMatch(/Codec token for U0DAVE, valid until .*Authorization: Bearer/);
    const check = checkCodecToken(payloadKey, issued.stdout.trim());
    expect(check).toMatchObject({ ok: true, claims: { sub: 'U0DAVE' } });
    expect(check.ok && check.claims.exp - check.claims.iat).toBe(3600);

    const approver = await cli(['codec-token', '--as', 'U0BOB'], withKey);
    expect(approver).toMatchObject({ code: 1, stdout: '' });
    expect(approver.stderr).toMatch(/U0BOB can't read histories: list them in PLAID_SETUP_AUDITORS or PLAID_SETUP_OPERATORS/);
    const tooLong = await cli(['codec-token', '--as', 'U0DAVE', '--ttl', '30d'], withKey);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/--ttl must be a duration from 1m to 7d/);
    // An id is at most 128 characters, as everywhere else; the token holds any id that fits.
    const longId = `U${'0'.repeat(99)}`;
    const long = await cli(['codec-token', '--as', longId], { ...withKey, PLAID_SETUP_AUDITORS: longId });
    expect(long.code).toBe(0);
    expect(checkCodecToken(payloadKey, long.stdout.trim())).toMatchObject({ ok: true, claims: { sub: longId } });
    for (const length of [200, 5000]) {
      const overLong = await cli(['codec-token', '--as', 'U'.repeat(length)], withKey);
      expect(overLong).toMatchObject({ code: 2, stdout: '' });
      expect(overLong.stderr).toBe(`--as: an id is at most 128 characters (this one has ${length}).\n`);
    }
    const noKey = await cli(['codec-token', '--as', 'U0DAVE']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/set PLAID_SETUP_PAYLOAD_KEY first/);
  });

  describe('the codec endpoint', () => {
    let server: RunningCodecServer;
    let security: DatabaseSecurityLog;
    const UI = 'http://localhost:8233';

    beforeEach(async () => {
      security = await DatabaseSecurityLog.open(path.join(h.dataDir, SECURITY_LOG_FILE), chainKeys({ current: h.key }));
      server = await startCodecServer({
        codecs: [new AesGcmPayloadCodec({ current: payloadKey })],
        tokenKey: payloadKey,
        rolesOf: (id) => roles[id] ?? [],
        origins: [UI],
        security,
        logger: createLogger('error', () => undefined),
        port: 0,
      });
    });
    afterEach(async () => {
      await server.close();
      await security.close();
    });

    const token = (sub: string, ttlMs = 60_000) => issueCodecToken(payloadKey, sub, ttlMs).token;
    const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const wire = (p: Payload) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    });

    test('the real Temporal CLI shows a decoded history to an auditor with a token, and nothing without one', async () => {
      await encryptedJourney('shown');
      const temporal = process.env[TEMPORAL_CLI.envVar] as string;
      const show = (auth: string[]) =>
        promisify(execFile)(temporal, ['workflow', 'show', '-w', workflowIdFor('shown'), '--address', env.address, '-o', 'json', '--codec-endpoint', server.url, ...auth], {
          maxBuffer: 64 * 1024 * 1024,
        }).then(
          (r) => ({ ok: true, out: r.stdout + r.stderr }),
          (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
        );
      const decoded = await show(['--codec-auth', `Bearer ${token('U0DAVE')}`]);
      expect(decoded.ok).toBe(true);
      expect(decodedJson(JSON.parse(decoded.out))).toContain(COMMENT);

      // The CLI retries a refused decode until its deadline; a short one keeps the test quick.
      const refused = await show(['--command-timeout', '2s']);
      expect(refused.ok).toBe(false);
      expect((await post('/decode', { payloads: [] })).status).toBe(401);
      expect(refused.out).not.toContain(COMMENT);
      const approver = await show(['--command-timeout', '2s', '--codec-auth', `Bearer ${token('U0BOB')}`]);
      expect(approver.ok).toBe(false);
      expect(approver.out).not.toContain(COMMENT);
      const events = await security.list();
      expect(events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'denied', action: 'codec.decode', detail: expect.stringMatching(/No codec token/) }),
          expect.objectContaining({ kind: 'denied', action: 'codec.decode', actor: 'U0BOB', detail: expect.stringMatching(/needs the auditor or operator role/) }),
        ]),
      );
    });

    test('tokens that are expired, forged or for the wrong role are refused and recorded', async () => {
      const [sealed] = await new AesGcmPayloadCodec({ current: payloadKey }).encode([plain('inside')]);
      const body = { payloads: [wire(sealed!)] };
      const ok = await post('/decode', body, { authorization: `Bearer ${token('U0DAVE')}` });
      expect(ok.status).toBe(200);
      const decoded = (await ok.json()) as { payloads: Array<{ data: string }> };
      expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toBe('inside');
      // Under a namespace segment too, as `--codec-endpoint` templating sends it.
      expect((await post('/default/decode', body, { authorization: `Bearer ${token('U0ALICE')}` })).status).toBe(200);

      const expired = issueCodecToken(payloadKey, 'U0DAVE', 1_000, Date.now() - 10_000).token;
      expect((await post('/decode', body, { authorization: `Bearer ${expired}` })).status).toBe(401);
      expect((await post('/decode', body, { authorization: `Bearer ${issueCodecToken(randomBytes(32), 'U0DAVE', 60_000).token}` })).status).toBe(401);
      // Encoding writes into workflows from the UI: operators only.
      expect((await post('/encode', { payloads: [wire(plain('x'))] }, { authorization: `Bearer ${token('U0DAVE')}` })).status).toBe(403);
      const encoded = await post('/encode', { payloads: [wire(plain('x'))] }, { authorization: `Bearer ${token('U0ALICE')}` });
      expect(encoded.status).toBe(200);

      const kinds = (await security.list()).map((e) => `${e.kind}:${e.actor ?? ''}`);
      expect(kinds).toEqual(['stale_request:U0DAVE', 'forged_request:', 'denied:U0DAVE']);
      expect(await security.verify()).toMatchObject({ ok: true, rows: 3 });
    });

    test('bad bodies, unknown routes and a payload under an unknown key get clear answers', async () => {
      const auth = { authorization: `Bearer ${token('U0DAVE')}` };
      const notJson = await fetch(`${server.url}/decode`, { method: 'POST', headers: auth, body: 'payloads please' });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toEqual({ error: 'The body is not JSON; send {"payloads": [...]}.' });
      const wrongShape = await post('/decode', { payloads: [{ data: 'not base64!' }] }, auth);
      expect(wrongShape.status).toBe(400);
      expect(((await wrongShape.json()) as { error: string }).error).toMatch(/must be base64/);
      expect((await post('/nowhere', {}, auth)).status).toBe(404);
      expect((await fetch(`${server.url}/decode`, { headers: auth })).status).toBe(405);

      const [foreign] = await new AesGcmPayloadCodec({ current: randomBytes(32) }).encode([plain('x')]);
      const unknownKey = await post('/decode', { payloads: [wire(foreign!)] }, auth);
      expect(unknownKey.status).toBe(422);
      expect(((await unknownKey.json()) as { error: string }).error).toMatch(/neither PLAID_SETUP_PAYLOAD_KEY nor PLAID_SETUP_PREVIOUS_PAYLOAD_KEY/);
      expect((await security.list()).at(-1)).toMatchObject({ kind: 'key_error', actor: 'U0DAVE', action: 'codec.decode' });
    });

    test('a sign-in cookie that does not decode is refused and recorded, not a server error', async () => {
      const malformed = await post('/decode', { payloads: [] }, { cookie: 'plaid_setup_codec=%E0%A4%A' });
      expect(malformed.status).toBe(401);
      expect(((await malformed.json()) as { error: string }).error).toMatch(/not one plaid-setup signed/);
      expect((await security.list()).at(-1)).toMatchObject({ kind: 'forged_request', action: 'codec.decode' });
      // A path the URL parser cannot read is a bad request too, not a crash.
      const raw = await new Promise<number>((resolve, reject) => {
        const { port } = new URL(server.url);
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '//' }, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.end();
      });
      expect(raw).toBe(400);
    });

    test('sign-in from another site is refused and recorded (login CSRF); the sign-in page itself still works', async () => {
      const signIn = (origin: string) =>
        fetch(`${server.url}/login`, { method: 'POST', headers: { origin }, body: new URLSearchParams({ token: token('U0DAVE') }) });
      const forged = await signIn('https://evil.example');
      expect(forged.status).toBe(403);
      expect(forged.headers.get('set-cookie')).toBeNull();
      expect(await forged.text()).toMatch(/Sign-in from https:\/\/evil\.example is not allowed/);
      expect((await security.list()).at(-1)).toMatchObject({ kind: 'denied', action: 'codec.login', detail: expect.stringMatching(/evil\.example/) });
      expect((await signIn('null')).status).toBe(403);

      const own = await signIn(server.url);
      expect(own.status).toBe(200);
      expect(own.headers.get('set-cookie')).toMatch(/^plaid_setup_codec=/);
      // The same endpoint reached as localhost is its own origin too.
      expect((await signIn(server.url.replace('127.0.0.1', 'localhost'))).status).toBe(200);
      expect((await signIn(UI)).status).toBe(200);
    });

    test('a taken port is named, with the variable that moves it', async () => {
      const port = Number(new URL(server.url).port);
      await expect(
        startCodecServer({ codecs: [], tokenKey: payloadKey, rolesOf: () => [], origins: [], security, logger: createLogger('error', () => undefined), port }),
      ).rejects.toMatchObject({ code: 'PORT_IN_USE', message: `Port ${port} (the codec endpoint) is already in use by another process. Stop that process, or set PLAID_SETUP_CODEC_PORT to a free port.` });
    });

    test('the Web UI: CORS for its origin only, and a sign-in cookie instead of a header', async () => {
      const preflight = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);

      const elsewhere = await post('/decode', { payloads: [] }, { origin: 'https://evil.example', authorization: `Bearer ${token('U0DAVE')}` });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();

      const form = await fetch(`${server.url}/login`);
      expect(await form.text()).toMatch(/Include cross-origin credentials/);
      const refused = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'pscodec.nope.nope' }) });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('set-cookie')).toBeNull();
      const signedIn = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token: token('U0DAVE') }) });
      expect(await signedIn.text()).toMatch(/Signed in as U0DAVE/);
      const cookie = signedIn.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^plaid_setup_codec=.+; HttpOnly; Secure; SameSite=None; Path=\/; Max-Age=(59|60)$/);
      const fromUi = await post('/decode', { payloads: [] }, { origin: UI, cookie: cookie.split(';')[0]! });
      expect(fromUi.status).toBe(200);
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    });
  });
});
