/**
 * Who may use the codec endpoint: bearers of a short-lived token that names a person,
 * signed with a key derived from the payload key. `plaid-setup codec-token` issues one to
 * an auditor or operator; the endpoint checks the signature, the expiry, and that the
 * person still holds a role that reads history.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACTOR_ID_MAX } from '../../shared/schemas';

const PREFIX = 'pscodec';

const ClaimsSchema = z.object({
  // Any id a person can act as: the token names the same people the checklist does.
  sub: z.string().trim().min(1).max(ACTOR_ID_MAX),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type CodecClaims = z.infer<typeof ClaimsSchema>;

export type TokenCheck = { ok: true; claims: CodecClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; sub?: string };

function signingKey(payloadKey: Buffer): Buffer {
  return createHmac('sha256', payloadKey).update('plaid-setup codec token').digest();
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function issueCodecToken(payloadKey: Buffer, sub: string, ttlMs: number, now = Date.now()): { token: string; claims: CodecClaims } {
  const claims = ClaimsSchema.parse({ sub, iat: Math.floor(now / 1000), exp: Math.floor((now + ttlMs) / 1000) });
  const body = b64(JSON.stringify(claims));
  const mac = createHmac('sha256', signingKey(payloadKey)).update(`${PREFIX}.${body}`).digest();
  return { token: `${PREFIX}.${body}.${b64(mac)}`, claims };
}

export function checkCodecToken(payloadKey: Buffer, token: string, now = Date.now()): TokenCheck {
  const [prefix, body, mac, ...rest] = token.split('.');
  if (prefix !== PREFIX || !body || !mac || rest.length > 0) return { ok: false, reason: 'malformed' };
  let claims: CodecClaims;
  try {
    const parsed = ClaimsSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const expected = createHmac('sha256', signingKey(payloadKey)).update(`${PREFIX}.${body}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature', sub: claims.sub };
  if (claims.exp * 1000 <= now) return { ok: false, reason: 'expired', sub: claims.sub };
  return { ok: true, claims };
}
