/**
 * Items and their lifecycle, as Plaid describes it:
 * - a public token is single-use and expires after 30 minutes; an unknown, used, expired
 *   or other client's/environment's one is INVALID_PUBLIC_TOKEN
 *   (https://plaid.com/docs/errors/invalid-input/#invalid_public_token);
 * - an access token works until /item/remove; an unknown, removed or other
 *   client's/environment's one is INVALID_ACCESS_TOKEN
 *   (https://plaid.com/docs/errors/invalid-input/#invalid_access_token);
 * - /transactions/sync answers NOT_READY with empty arrays and an empty next_cursor until
 *   the first pull is done (TransactionsSyncResponse, TransactionsUpdateStatus), then pages
 *   the history by `count` with has_more/next_cursor. A cursor from another Item is refused
 *   with the INVALID_FIELD message Plaid answers (webhookdb/webhookdb#646); an unreadable
 *   cursor gets the same answer (best guess: the docs are silent).
 */
import { invalidAccessToken, invalidAccountId, invalidField, invalidPublicToken } from './errors';
import { type Account, type InstitutionFixture, newAccounts, newTransactions, type Transaction } from './fixtures';
import { newObjectId, newToken } from './ids';
import type { EmulatedItem, PlaidFlavour } from './types';

const PUBLIC_TOKEN_TTL_MS = 30 * 60 * 1000;
/** TransactionsSyncRequest.count's default. */
const DEFAULT_SYNC_COUNT = 100;

export interface LiveItem {
  readonly itemId: string;
  readonly institution: InstitutionFixture;
  /** Products the Item was created with: the Item's billed products. */
  readonly products: readonly string[];
  readonly webhook: string | null;
  readonly accounts: readonly Account[];
}

interface ItemRecord extends LiveItem {
  readonly state: EmulatedItem;
  readonly transactions: readonly Transaction[];
  syncCalls: number;
}

interface Owner {
  flavour: PlaidFlavour;
  clientId: string;
}

export interface SyncRequest {
  cursor?: string;
  count?: number;
  accountId?: string;
}

export interface SyncPage {
  status: 'NOT_READY' | 'HISTORICAL_UPDATE_COMPLETE';
  accounts: Account[];
  added: Transaction[];
  nextCursor: string;
  hasMore: boolean;
}

interface CursorPosition {
  item: string;
  account: string | null;
  offset: number;
}

const encodeCursor = (position: CursorPosition): string => Buffer.from(JSON.stringify(position)).toString('base64');

function decodeCursor(cursor: string): Partial<CursorPosition> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Partial<CursorPosition>) : undefined;
  } catch {
    return undefined;
  }
}

/** "now" fast-forwards to the end of the history (TransactionsSyncRequest.cursor). */
const NOW_CURSOR = 'now';

const cursorRefused = () => invalidField('cursor not associated with access_token');

export class ItemStore {
  private readonly records = new Map<string, ItemRecord>();
  private readonly publicTokens = new Map<string, { itemId: string; expiresAt: number }>();
  private readonly accessTokens = new Map<string, string>();

  /** @param notReadyPolls how many /transactions/sync calls a new Item answers NOT_READY. */
  constructor(private readonly notReadyPolls: number) {}

  /** A new Item and the public token that reaches it. */
  create(owner: Owner, input: { institution: InstitutionFixture; products: string[]; webhook: string | null; now: Date }): { publicToken: string } {
    const itemId = newObjectId();
    const accounts = newAccounts();
    const record: ItemRecord = {
      itemId,
      institution: input.institution,
      products: [...new Set(input.products)],
      webhook: input.webhook,
      accounts,
      transactions: newTransactions(accounts, input.now),
      syncCalls: 0,
      state: { itemId, flavour: owner.flavour, clientId: owner.clientId, institutionId: input.institution.institution_id, createdAt: input.now.toISOString(), exchanged: false },
    };
    this.records.set(itemId, record);
    const publicToken = newToken('public', owner.flavour);
    this.publicTokens.set(publicToken, { itemId, expiresAt: input.now.getTime() + PUBLIC_TOKEN_TTL_MS });
    return { publicToken };
  }

  exchange(owner: Owner, publicToken: string, now: Date): { accessToken: string; itemId: string } {
    const issued = this.publicTokens.get(publicToken);
    const record = issued && this.records.get(issued.itemId);
    if (!issued || !record || !ownedBy(record, owner) || now.getTime() >= issued.expiresAt) throw invalidPublicToken();
    this.publicTokens.delete(publicToken);
    const accessToken = newToken('access', owner.flavour);
    record.state.exchanged = true;
    this.accessTokens.set(accessToken, record.itemId);
    return { accessToken, itemId: record.itemId };
  }

  /** The Item this access token reaches for this owner; INVALID_ACCESS_TOKEN otherwise. */
  live(owner: Owner, accessToken: string): LiveItem {
    return this.recordFor(owner, accessToken);
  }

  remove(owner: Owner, accessToken: string, now: Date): void {
    const record = this.recordFor(owner, accessToken);
    this.accessTokens.delete(accessToken);
    record.state.removedAt = now.toISOString();
  }

  sync(owner: Owner, accessToken: string, request: SyncRequest): SyncPage {
    const record = this.recordFor(owner, accessToken);
    record.syncCalls += 1;
    if (record.syncCalls <= this.notReadyPolls) {
      return { status: 'NOT_READY', accounts: [], added: [], nextCursor: '', hasMore: false };
    }

    const account = request.accountId ?? null;
    if (account !== null && !record.accounts.some((a) => a.account_id === account)) throw invalidAccountId();
    const history = account === null ? record.transactions : record.transactions.filter((t) => t.account_id === account);

    let offset = 0;
    if (request.cursor === NOW_CURSOR) {
      offset = history.length;
    } else if (request.cursor) {
      const position = decodeCursor(request.cursor);
      if (position?.item !== record.itemId || (position.account ?? null) !== account) throw cursorRefused();
      if (typeof position.offset !== 'number' || !Number.isInteger(position.offset) || position.offset < 0 || position.offset > history.length) {
        throw cursorRefused();
      }
      offset = position.offset;
    }

    const added = history.slice(offset, offset + (request.count ?? DEFAULT_SYNC_COUNT));
    const next = offset + added.length;
    // Only accounts that carry transactions appear (TransactionsSyncResponse.accounts).
    const withTransactions = new Set(history.map((t) => t.account_id));
    return {
      status: 'HISTORICAL_UPDATE_COMPLETE',
      accounts: record.accounts.filter((a) => withTransactions.has(a.account_id)),
      added,
      nextCursor: encodeCursor({ item: record.itemId, account, offset: next }),
      hasMore: next < history.length,
    };
  }

  list(): EmulatedItem[] {
    return [...this.records.values()].map((r) => ({ ...r.state }));
  }

  private recordFor(owner: Owner, accessToken: string): ItemRecord {
    const itemId = this.accessTokens.get(accessToken);
    const record = itemId === undefined ? undefined : this.records.get(itemId);
    if (!record || !ownedBy(record, owner)) throw invalidAccessToken();
    return record;
  }
}

const ownedBy = (record: ItemRecord, owner: Owner): boolean => record.state.flavour === owner.flavour && record.state.clientId === owner.clientId;
