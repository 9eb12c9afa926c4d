/**
 * The Plaid developer accounts the emulator knows and how a request's credentials are
 * judged (https://plaid.com/docs/errors/invalid-input/):
 * - an unknown client_id, or a secret that is not the client's secret for this
 *   environment (a Sandbox secret sent to Production included), is INVALID_API_KEYS;
 * - the right Production secret of a client without Production access is
 *   UNAUTHORIZED_ENVIRONMENT. Which of the two Plaid answers when both apply is not
 *   documented; keys are judged first here (best guess).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_COUNTRIES, REDIRECT_URI } from '../../shared/schemas';
import { invalidApiKeys, unauthorizedEnvironment } from './errors';
import { randomHex } from './ids';
import { PRODUCTS } from './schemas';
import type { EmulatedClient, PlaidFlavour } from './types';

/** Deep enough a copy that callers cannot change a registered client behind the registry's back. */
function copy(client: EmulatedClient): EmulatedClient {
  return {
    clientId: client.clientId,
    secrets: { ...client.secrets },
    ...(client.extraSecrets ? { extraSecrets: { sandbox: [...(client.extraSecrets.sandbox ?? [])], production: [...(client.extraSecrets.production ?? [])] } } : {}),
    productionAccess: client.productionAccess,
    allowedRedirectUris: [...client.allowedRedirectUris],
    enabledCountries: { sandbox: [...client.enabledCountries.sandbox], production: [...client.enabledCountries.production] },
    linkCustomizations: [...client.linkCustomizations],
    enabledProducts: { sandbox: [...client.enabledProducts.sandbox], production: [...client.enabledProducts.production] },
  };
}

/** Compares digests so the comparison takes the same time whatever the secret. */
function sameSecret(expected: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

export class ClientRegistry {
  private readonly clients = new Map<string, EmulatedClient>();

  add(client: EmulatedClient): void {
    if (this.clients.has(client.clientId)) throw new Error(`Plaid emulator: client ${client.clientId} is already registered`);
    this.clients.set(client.clientId, copy(client));
  }

  update(clientId: string, patch: Partial<Omit<EmulatedClient, 'clientId'>>): void {
    const current = this.clients.get(clientId);
    if (!current) throw new Error(`Plaid emulator: no client ${clientId}`);
    this.clients.set(clientId, copy({ ...current, ...patch, clientId }));
  }

  /** The client with this id, as registered; undefined when unknown. */
  find(clientId: string): EmulatedClient | undefined {
    const client = this.clients.get(clientId);
    return client && copy(client);
  }

  /** Whether `secret` is the client's secret for the flavour; undefined when the client_id is unknown. */
  secretMatches(flavour: PlaidFlavour, clientId: string, secret: string): boolean | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const accepted = [client.secrets[flavour], ...(client.extraSecrets?.[flavour] ?? [])].filter((s): s is string => s !== undefined);
    // Every candidate is compared, so the time does not say which one matched.
    return accepted.map((expected) => sameSecret(expected, secret)).some(Boolean);
  }

  /** The client these credentials authenticate in the flavour; throws Plaid's refusal otherwise. */
  authenticate(flavour: PlaidFlavour, clientId: string, secret: string): EmulatedClient {
    const client = this.find(clientId);
    if (!client || !this.secretMatches(flavour, clientId, secret)) throw invalidApiKeys();
    if (flavour === 'production' && !client.productionAccess) throw unauthorizedEnvironment();
    return client;
  }
}

/** What Codat's Plaid set-up guide asks of a Plaid team (auth, identity, transactions, assets), and balance. */
const PRODUCTION_PRODUCTS = ['auth', 'identity', 'transactions', 'assets', 'balance'];

/**
 * A client for demos and tests, shaped like a Codat customer's Plaid account: random
 * 24-hex client_id and 30-hex secrets, every supported country in Sandbox and Plaid's
 * Production defaults (US, CA), Codat's redirect URI allowed, Production access granted,
 * every product in Sandbox and the ones Codat needs in Production.
 */
export function demoClient(overrides: Partial<EmulatedClient> = {}): EmulatedClient {
  return copy({
    clientId: randomHex(24),
    secrets: { sandbox: randomHex(30), production: randomHex(30) },
    productionAccess: true,
    allowedRedirectUris: [REDIRECT_URI],
    enabledCountries: { sandbox: [...DEFAULT_COUNTRIES.sandbox], production: [...DEFAULT_COUNTRIES.production] },
    linkCustomizations: [],
    enabledProducts: { sandbox: [...PRODUCTS], production: [...PRODUCTION_PRODUCTS] },
    ...overrides,
  });
}
