/**
 * The calls that prove a setup's inputs work, through the official SDK. Each returns
 * evidence (what Plaid confirmed, request ids, timings; never a token) or throws a
 * PlaidCallError. Temporal concerns (heartbeats, cancellation) arrive as plain callbacks
 * and an AbortSignal, so this module runs the same in a worker and in a test.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CountryCode as PlaidCountryCode, type PlaidApi, Products } from 'plaid';
import { REDIRECT_URI, type CountryCode, type PlaidEnvironment } from '../shared/schemas';
import type { Evidence } from '../domain/state';
import { classifyPlaidError, PlaidCallError, type CallContext } from './errors';

/** Plaid's Sandbox test institution with OAuth-free credentials (https://plaid.com/docs/sandbox/institutions/). */
export const SANDBOX_INSTITUTION = { id: 'ins_109508', name: 'First Platypus Bank' } as const;
/**
 * The products Codat's Plaid guide requires the Plaid team to have. Link is asked for all of
 * them, so a token proves the team may use each; Plaid names the ones it may not.
 */
export const CODAT_PRODUCTS = [Products.Auth, Products.Identity, Products.Transactions, Products.Assets];
/** The smoke test's Item reads accounts and transactions. */
export const SMOKE_PRODUCTS = [Products.Transactions];
/** Shown as the app name in Link; Plaid caps it at 30 characters. */
export const LINK_CLIENT_NAME = 'Codat';

type CallOptions = { signal?: AbortSignal };

/**
 * A call Plaid rate-limited, or that failed in a way retrying can help, is tried again here,
 * briefly, before the whole check fails and Temporal retries it: a smoke test makes six or
 * more calls, and with one blip failing the whole attempt a busy Plaid exhausted the retry
 * policy (about one setup in ten at 20 % faulty answers; test/faults/plaid-faults.test.ts).
 */
export const CALL_TRIES = 3;
const CALL_BACKOFF_MS = 250;
/**
 * Calls that create something: after a timeout or a 5xx Plaid may have done it, and doing it
 * again would leave an Item nobody can remove. Only a rate limit (nothing done) repeats them.
 */
const NOT_REPEATED_UNLESS_RATE_LIMITED = new Set(['/sandbox/public_token/create', '/item/public_token/exchange']);

/** Runs one SDK call, tries it again on a retryable failure, and classifies whatever it throws. */
async function call<T>(ctx: CallContext, run: () => Promise<{ data: T }>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await run()).data;
    } catch (err) {
      const failure = classifyPlaidError(err, ctx);
      const repeatable = failure.retryable && (!NOT_REPEATED_UNLESS_RATE_LIMITED.has(ctx.endpoint) || failure.rateLimited);
      if (!repeatable || attempt >= CALL_TRIES) throw failure;
      // Exponential backoff with jitter (Plaid documents no Retry-After).
      await sleep(CALL_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

export interface CredentialsCheck {
  environment: PlaidEnvironment;
  countryCodes: readonly CountryCode[];
}

/** `/institutions/get` (count 1): the cheapest call that needs valid keys. */
export async function verifyCredentials(client: PlaidApi, input: CredentialsCheck, options: CallOptions = {}): Promise<Evidence> {
  const started = Date.now();
  const data = await call({ environment: input.environment, endpoint: '/institutions/get', countryCodes: input.countryCodes }, () =>
    client.institutionsGet({ count: 1, offset: 0, country_codes: [...input.countryCodes] as PlaidCountryCode[] }, options),
  );
  return {
    environment: input.environment,
    keysAccepted: true,
    institutionsAvailable: data.total,
    keysRequestId: data.request_id,
    keysMs: Date.now() - started,
  };
}

export interface LinkCheck {
  environment: PlaidEnvironment;
  setupId: string;
  countryCodes: readonly CountryCode[];
  linkCustomizationName?: string;
}

/**
 * `/link/token/create` with Codat's products, redirect URI, the setup's countries and
 * customization: Plaid refuses a product the team may not use, a redirect URI not on the
 * allow-list, a country not enabled for the client and an unknown customization, so a token
 * proves all four.
 */
export async function checkLinkConfiguration(client: PlaidApi, input: LinkCheck, options: CallOptions = {}): Promise<Evidence> {
  const started = Date.now();
  const ctx: CallContext = {
    environment: input.environment,
    endpoint: '/link/token/create',
    countryCodes: input.countryCodes,
    ...(input.linkCustomizationName ? { linkCustomizationName: input.linkCustomizationName } : {}),
  };
  const data = await call(ctx, () =>
    client.linkTokenCreate(
      {
        client_name: LINK_CLIENT_NAME,
        language: 'en',
        country_codes: [...input.countryCodes] as PlaidCountryCode[],
        user: { client_user_id: `plaid-setup-check-${input.setupId}` },
        products: CODAT_PRODUCTS,
        redirect_uri: REDIRECT_URI,
        ...(input.linkCustomizationName ? { link_customization_name: input.linkCustomizationName } : {}),
      },
      options,
    ),
  );
  return {
    productsEnabled: CODAT_PRODUCTS.join(','),
    redirectUriAllowed: REDIRECT_URI,
    countriesEnabled: input.countryCodes.join(','),
    ...(input.linkCustomizationName ? { linkCustomization: input.linkCustomizationName } : {}),
    linkRequestId: data.request_id,
    linkMs: Date.now() - started,
  };
}

/** A Sandbox Item the smoke test created, with the token that can still remove it. */
export interface LedgerEntry {
  id: string;
  token: { kind: 'public' | 'access'; value: string };
  itemId?: string;
}

/**
 * Where the smoke test writes down each Item before it relies on it, so a retry after a
 * crash can remove it. Tokens are credentials: the store must encrypt them.
 */
export interface ItemLedger {
  record(setupId: string, entry: LedgerEntry): Promise<void>;
  pending(setupId: string): Promise<LedgerEntry[]>;
  forget(setupId: string, id: string): Promise<void>;
}

export type SmokePhase = 'cleaning up' | 'creating item' | 'exchanging token' | 'reading accounts' | 'syncing transactions' | 'removing item';

export interface SmokeOptions extends CallOptions {
  ledger: ItemLedger;
  /** Called at each phase; the activity turns it into a heartbeat. */
  progress?: (phase: SmokePhase, itemId?: string) => void;
  /** The first /transactions/sync may answer NOT_READY: poll this often, this many times. */
  syncPoll?: { intervalMs: number; attempts: number };
  /** Logs what cleanup could not do (never a token). */
  warn?: (message: string, fields: Record<string, string | undefined>) => void;
}

const SANDBOX: Pick<CallContext, 'environment'> = { environment: 'sandbox' };
const MAX_SYNC_PAGES = 50;

/**
 * Creates a Sandbox Item at First Platypus Bank, reads its accounts and transactions,
 * and removes it. Items an earlier attempt left behind are removed first.
 */
export async function sandboxSmokeTest(client: PlaidApi, setupId: string, options: SmokeOptions): Promise<Evidence> {
  const { ledger, signal } = options;
  const progress = options.progress ?? (() => undefined);
  const started = Date.now();

  progress('cleaning up');
  const leftovers = await removeLeftovers(client, setupId, options);

  progress('creating item');
  const created = await call({ ...SANDBOX, endpoint: '/sandbox/public_token/create' }, () =>
    client.sandboxPublicTokenCreate({ institution_id: SANDBOX_INSTITUTION.id, initial_products: SMOKE_PRODUCTS }, { signal }),
  );
  const entry: LedgerEntry = { id: randomUUID(), token: { kind: 'public', value: created.public_token } };
  await ledger.record(setupId, entry);

  let outcome: { ok: true; evidence: Evidence } | { ok: false; error: unknown };
  try {
    progress('exchanging token');
    const exchanged = await call({ ...SANDBOX, endpoint: '/item/public_token/exchange' }, () =>
      client.itemPublicTokenExchange({ public_token: created.public_token }, { signal }),
    );
    entry.token = { kind: 'access', value: exchanged.access_token };
    entry.itemId = exchanged.item_id;
    await ledger.record(setupId, entry);

    progress('reading accounts', entry.itemId);
    const accounts = await call({ ...SANDBOX, endpoint: '/accounts/get' }, () =>
      client.accountsGet({ access_token: exchanged.access_token }, { signal }),
    );

    progress('syncing transactions', entry.itemId);
    const sync = await syncTransactions(client, exchanged.access_token, options, () => progress('syncing transactions', entry.itemId));

    outcome = {
      ok: true,
      evidence: {
        institution: SANDBOX_INSTITUTION.name,
        institutionId: accounts.item.institution_id ?? SANDBOX_INSTITUTION.id,
        accounts: accounts.accounts.length,
        transactions: sync.transactions,
        syncPolls: sync.polls,
        itemRemoved: true,
        ...(leftovers > 0 ? { leftoverItemsRemoved: leftovers } : {}),
        itemRequestId: accounts.request_id,
      },
    };
  } catch (err) {
    outcome = { ok: false, error: err };
  }

  progress('removing item', entry.itemId);
  try {
    await removeEntry(client, setupId, entry, options);
  } catch (err) {
    // The entry stays in the ledger: the next attempt (or the next Sandbox test) removes it.
    options.warn?.('sandbox item left for the next attempt to remove', { setup: setupId, itemId: entry.itemId, code: (err as PlaidCallError).code });
    if (outcome.ok) throw err;
  }
  if (!outcome.ok) throw outcome.error;
  return { ...outcome.evidence, smokeMs: Date.now() - started };
}

async function syncTransactions(
  client: PlaidApi,
  accessToken: string,
  options: SmokeOptions,
  onPoll: () => void,
): Promise<{ transactions: number; polls: number }> {
  const poll = options.syncPoll ?? { intervalMs: 1000, attempts: 30 };
  const ctx: CallContext = { ...SANDBOX, endpoint: '/transactions/sync' };
  const fetchPage = (cursor?: string) =>
    call(ctx, () =>
      client.transactionsSync({ access_token: accessToken, count: 500, ...(cursor ? { cursor } : {}) }, { signal: options.signal }),
    );

  // A new Item's first sync may not be ready yet: poll, bounded.
  let polls = 1;
  let data = await fetchPage();
  while (data.transactions_update_status === 'NOT_READY' && data.added.length === 0) {
    if (polls >= poll.attempts) {
      throw new PlaidCallError(
        'TRANSACTIONS_NOT_READY',
        `Plaid Sandbox had not finished the first transactions sync after ${polls} polls.`,
        "Nothing to fix in the setup: it is retried automatically. If it keeps failing, check Plaid's status page.",
        true,
        { ...ctx, requestId: data.request_id },
      );
    }
    onPoll();
    await sleep(poll.intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    data = await fetchPage();
    polls += 1;
  }

  let transactions = data.added.length;
  for (let pages = 1; data.has_more && pages < MAX_SYNC_PAGES; pages += 1) {
    onPoll();
    data = await fetchPage(data.next_cursor);
    transactions += data.added.length;
  }
  return { transactions, polls };
}

/** Removes what earlier attempts recorded but did not remove; returns how many it removed. */
async function removeLeftovers(client: PlaidApi, setupId: string, options: SmokeOptions): Promise<number> {
  let removed = 0;
  for (const entry of await options.ledger.pending(setupId)) {
    await removeEntry(client, setupId, entry, options);
    removed += 1;
  }
  return removed;
}

/**
 * Removes one Item and forgets it. Removal never uses the caller's AbortSignal: it must
 * run after a cancellation too. A token Plaid no longer knows means the Item is gone.
 */
async function removeEntry(client: PlaidApi, setupId: string, entry: LedgerEntry, options: SmokeOptions): Promise<void> {
  let accessToken = entry.token.kind === 'access' ? entry.token.value : undefined;
  if (!accessToken) {
    try {
      const exchanged = await call({ ...SANDBOX, endpoint: '/item/public_token/exchange' }, () =>
        client.itemPublicTokenExchange({ public_token: entry.token.value }),
      );
      accessToken = exchanged.access_token;
      // A public token exchanges once: keep the access token in case the removal fails.
      await options.ledger.record(setupId, { ...entry, token: { kind: 'access', value: accessToken }, itemId: exchanged.item_id });
    } catch (err) {
      if (!(err instanceof PlaidCallError) || err.retryable) throw err;
      // An expired or already exchanged public token cannot reach its Item any more.
      options.warn?.('sandbox item could not be reached for removal', { setup: setupId, code: err.code });
      await options.ledger.forget(setupId, entry.id);
      return;
    }
  }
  try {
    await call({ ...SANDBOX, endpoint: '/item/remove' }, () => client.itemRemove({ access_token: accessToken }));
  } catch (err) {
    if (!(err instanceof PlaidCallError) || err.code !== 'INVALID_ACCESS_TOKEN') throw err;
  }
  await options.ledger.forget(setupId, entry.id);
}
