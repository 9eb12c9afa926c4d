/**
 * The codec endpoint (Temporal's Codec Server protocol) so the Temporal Web UI and CLI can
 * show decoded histories to those allowed: POST /decode and /encode (also under a
 * namespace segment, /{namespace}/decode, as the CLI's --codec-endpoint templating uses),
 * each `{ payloads: [...] }` in and out.
 *
 * Only bearers of a codec token (see token.ts) get through: from the CLI as
 * `Authorization: Bearer <token>`; from the Web UI as a cookie set by signing in at
 * GET /login, sent because the UI's "Include cross-origin credentials" is on. Decoding
 * needs the auditor or operator role, encoding (starting or signalling from the UI) the
 * operator role. Browsers are let in only from PLAID_SETUP_CODEC_ORIGINS, and may sign in
 * only from this endpoint's own page or those origins (another site could otherwise plant
 * its own token's cookie: login CSRF). Every refusal is a security event; those without a
 * valid token are counted per address and minute.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/internal-non-workflow';
import { z } from 'zod';
import { RefusalCounter } from '../../audit/refusal-counter';
import type { SecurityEventKind, SecurityLog } from '../../audit/security-log';
import { isPlaidSetupError } from '../../errors';
import { BodyRefused, readBoundedBody } from '../../http/body';
import { closeServer, listen, portInUse } from '../../http/listen';
import type { Logger } from '../../logger';
import { HISTORY_READERS, type Role } from '../../shared/schemas';
import { checkCodecToken, type CodecClaims } from './token';

export const CODEC_COOKIE = 'plaid_setup_codec';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const READ_TIMEOUT_MS = 30_000;

export interface CodecServerOptions {
  codecs: PayloadCodec[];
  /** The key codec tokens are signed with (the payload key). */
  tokenKey: Buffer;
  rolesOf: (id: string) => Role[];
  origins: string[];
  security: SecurityLog;
  logger: Logger;
  host?: string;
  port: number;
}

export interface RunningCodecServer {
  url: string;
  close(): Promise<void>;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const WirePayloadSchema = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});
const BodySchema = z.object({ payloads: z.array(WirePayloadSchema).max(10_000) });
type WirePayload = z.infer<typeof WirePayloadSchema>;

function fromWire(p: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toWire(p: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  try {
    return (await readBoundedBody(req, { bytes: MAX_BODY_BYTES, timeoutMs: READ_TIMEOUT_MS })).toString('utf8');
  } catch (err) {
    if (!(err instanceof BodyRefused)) throw err;
    throw new HttpError(err.status, err.status === 413 ? 'The request body is larger than 4 MB; send fewer payloads at a time.' : 'The request body did not arrive in time; send it again.');
  }
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== CODEC_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      // Not percent-encoding (a tampered cookie): kept as is, so the token check refuses
      // and records it like any other forged token instead of failing the request.
      return value.join('=');
    }
  }
  return undefined;
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; form-action 'self'",
    ...headers,
  });
  res.end(`<!doctype html><meta charset="utf-8"><title>plaid-setup codec</title><body style="font-family:sans-serif;max-width:40em;margin:2em auto">${body}</body>`);
}

const LOGIN_FORM = `<h1>plaid-setup codec sign-in</h1>
<p>Paste the token from <code>plaid-setup codec-token</code>. It is kept in an HTTP-only cookie for this endpoint, so the Temporal Web UI can decode histories: in the UI's Codec Server settings choose <em>Use my browser setting</em>, enter this endpoint's address, turn on <em>Include cross-origin credentials</em> and Apply.</p>
<form method="post" action="login"><input name="token" type="password" size="60" autocomplete="off" required> <button>Sign in</button></form>`;

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const { codecs, security, logger } = options;
  const origins = new Set(options.origins);
  /** This endpoint's own origins, known once it listens: where its sign-in form posts from. */
  let ownOrigins = new Set<string>();

  // Refusals of requests without a valid token are counted per address and minute (refusal-counter.ts): anyone can send them.
  const refusals = new RefusalCounter(security, { onError: (err) => logger.error('Counted codec refusals not written', { error: err instanceof Error ? err.name : 'unknown' }) });
  const refuseUnknown = async (req: IncomingMessage, status: 401 | 403, kind: SecurityEventKind, action: string, detail: string, actor?: string): Promise<never> => {
    await refusals.refuse({ kind, action, detail, source: req.socket.remoteAddress ?? 'unknown', ...(actor ? { actor } : {}) });
    throw new HttpError(status, detail);
  };

  async function authenticate(req: IncomingMessage, action: string, needs: readonly Role[]): Promise<CodecClaims> {
    const token = bearerToken(req) ?? cookieToken(req);
    if (!token) return refuseUnknown(req, 401, 'denied', action, 'No codec token: sign in at /login, or send Authorization: Bearer <token from plaid-setup codec-token>.');
    const check = checkCodecToken(options.tokenKey, token);
    if (!check.ok) {
      if (check.reason === 'expired') return refuseUnknown(req, 401, 'stale_request', action, `The codec token of ${check.sub} has expired; issue a new one with plaid-setup codec-token.`, check.sub);
      const claimed = check.sub ? ` (it claims to be ${check.sub})` : '';
      return refuseUnknown(req, 401, 'forged_request', action, `The codec token is not one plaid-setup signed${claimed}; issue one with plaid-setup codec-token.`);
    }
    const roles = options.rolesOf(check.claims.sub);
    if (!needs.some((r) => roles.includes(r))) {
      // Someone we signed a token for: recorded one by one, with who.
      const detail = `${check.claims.sub} needs the ${needs.join(' or ')} role to ${action.replace('codec.', '')} payloads.`;
      await security.record({ kind: 'denied', action, detail, actor: check.claims.sub });
      throw new HttpError(403, detail);
    }
    return check.claims;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://codec.invalid');
    } catch {
      throw new HttpError(400, 'The request path is not a URL path: POST /decode or /encode.');
    }
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'Origin');
    }
    const route = url.pathname.split('/').filter(Boolean).at(-1);

    if (url.pathname === '/login') {
      if (req.method === 'GET') return page(res, 200, LOGIN_FORM);
      if (req.method !== 'POST') throw new HttpError(405, 'Use GET or POST on /login.');
      // Browsers send Origin with every POST; tools without one (curl) cannot carry a victim's cookie.
      if (origin !== undefined && !ownOrigins.has(origin) && !origins.has(origin)) {
        const shown = origin.slice(0, 200);
        await security.record({ kind: 'denied', action: 'codec.login', detail: `Codec sign-in from ${shown} refused: not this endpoint's page nor in PLAID_SETUP_CODEC_ORIGINS.` });
        return page(res, 403, `<p>Sign-in from ${escapeHtml(shown)} is not allowed. Open this endpoint's own /login page and paste the token there.</p>`);
      }
      const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
      const check = checkCodecToken(options.tokenKey, token.trim());
      if (!check.ok) {
        await refusals.refuse({ kind: check.reason === 'expired' ? 'stale_request' : 'forged_request', action: 'codec.login', detail: `Codec sign-in refused: ${check.reason.replace('_', ' ')} token.`, source: req.socket.remoteAddress ?? 'unknown' });
        return page(res, 401, `<p>That token was refused (${escapeHtml(check.reason.replace('_', ' '))}). Issue a new one with <code>plaid-setup codec-token</code>.</p>${LOGIN_FORM}`);
      }
      const maxAge = Math.max(0, check.claims.exp - Math.floor(Date.now() / 1000));
      return page(res, 200, `<p>Signed in as ${escapeHtml(check.claims.sub)} until ${new Date(check.claims.exp * 1000).toISOString()}.</p>`, {
        // SameSite=None so the Web UI's cross-origin fetch carries it; browsers accept Secure on localhost.
        'set-cookie': `${CODEC_COOKIE}=${encodeURIComponent(token.trim())}; HttpOnly; Secure; SameSite=None; Path=/; Max-Age=${maxAge}`,
      });
    }

    if (route !== 'decode' && route !== 'encode') throw new HttpError(404, 'Not found: POST /decode or /encode.');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'Content-Type, Authorization, X-Namespace',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, `Use POST on /${route}.`);
    const action = `codec.${route}`;
    if (origin && !origins.has(origin)) {
      await refuseUnknown(req, 403, 'denied', action, `Requests from ${origin} are not allowed; add it to PLAID_SETUP_CODEC_ORIGINS.`);
    }
    const claims = await authenticate(req, action, route === 'decode' ? HISTORY_READERS : ['operator']);
    let body: z.infer<typeof BodySchema>;
    try {
      const parsed = BodySchema.safeParse(JSON.parse(await readBody(req)));
      if (!parsed.success) throw new HttpError(400, `The body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
      body = parsed.data;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'The body is not JSON; send {"payloads": [...]}.');
    }
    let payloads: Payload[];
    try {
      payloads = await (route === 'decode' ? decode : encode)(codecs, body.payloads.map(fromWire));
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await security.record({ kind: 'key_error', actor: claims.sub, action, detail: `${err.code}: ${err.message}` });
      throw new HttpError(422, err.message);
    }
    logger.debug('codec request', { action, by: claims.sub, payloads: payloads.length });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ payloads: payloads.map(toWire) }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'The codec could not process these payloads; see the plaid-setup log.';
      if (!(err instanceof HttpError)) logger.error('codec request failed', { error: err instanceof Error ? `${err.name}: ${(err as { code?: string }).code ?? ''}` : 'unknown' });
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: message }));
    });
  });
  const address = await listen(
    server,
    options.port,
    options.host ?? '127.0.0.1',
    portInUse('the codec endpoint', 'PLAID_SETUP_CODEC_PORT'),
  );
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${address.port}`;
  const loopback = ['127.0.0.1', 'localhost'];
  ownOrigins = new Set(loopback.includes(host) ? loopback.map((name) => `http://${name}:${address.port}`) : [url]);
  return {
    url,
    close: async () => {
      await closeServer(server);
      await refusals.close();
    },
  };
}
