/**
 * Identifiers and tokens in Plaid's formats: request ids like "HNTDNrA8F1shFEW" (the
 * examples on https://plaid.com/docs/errors/), 37-character item/account/transaction ids
 * like the spec's examples, and `<kind>-<environment>-<uuid>` tokens
 * (https://plaid.com/docs/errors/invalid-input/#invalid_access_token).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { PlaidFlavour } from './types';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

export const newRequestId = (): string => alphanumeric(15);

/** Item, account and transaction ids share one shape in Plaid's responses. */
export const newObjectId = (): string => alphanumeric(37);

export const newToken = (kind: 'link' | 'public' | 'access', flavour: PlaidFlavour): string => `${kind}-${flavour}-${randomUUID()}`;

export const randomHex = (length: number): string => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
