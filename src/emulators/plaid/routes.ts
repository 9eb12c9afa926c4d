/**
 * Which endpoint answers a request (https://plaid.com/docs/errors/invalid-request/):
 * - a path Plaid does not serve here is 404 NOT_FOUND "not found" (#not_found); the spec
 *   only defines POST, so another method on a known path is NOT_FOUND too (best guess);
 * - any /sandbox/* path in Production is 400 SANDBOX_ONLY (#sandbox_only), whether or not
 *   the emulator implements it.
 */
import type { Endpoint } from './endpoint';
import { notFound, sandboxOnly } from './errors';
import { accountsGet } from './handlers/accounts';
import { institutionsGet } from './handlers/institutions';
import { itemPublicTokenExchange, itemRemove } from './handlers/item';
import { linkTokenCreate } from './handlers/link';
import { sandboxPublicTokenCreate } from './handlers/sandbox';
import { transactionsSync } from './handlers/transactions';
import type { PlaidFlavour } from './types';

const ENDPOINTS = new Map<string, Endpoint>(
  [institutionsGet, linkTokenCreate, sandboxPublicTokenCreate, itemPublicTokenExchange, accountsGet, transactionsSync, itemRemove].map((e) => [e.path, e]),
);

/** The endpoint for this request; throws NOT_FOUND or SANDBOX_ONLY. */
export function resolveEndpoint(flavour: PlaidFlavour, method: string, path: string): Endpoint {
  if (flavour === 'production' && path.startsWith('/sandbox/')) throw sandboxOnly(path);
  const endpoint = ENDPOINTS.get(path);
  if (!endpoint || method !== 'POST') throw notFound();
  return endpoint;
}
