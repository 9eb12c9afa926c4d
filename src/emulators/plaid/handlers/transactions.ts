/**
 * POST /transactions/sync
 * Sources: spec schemas TransactionsSyncRequest, TransactionsSyncResponse,
 * TransactionsUpdateStatus, Transaction, RemovedTransaction;
 * https://plaid.com/docs/api/products/transactions/#transactionssync
 * - access_token must reach a live Item of the caller: else INVALID_ACCESS_TOKEN.
 * - A new Item answers its first polls (PlaidEmulator's transactionsNotReadyPolls) with
 *   transactions_update_status NOT_READY, empty arrays, has_more false and next_cursor ""
 *   ("If transactions are not yet available, this will be an empty string").
 * - Then it pages the history `count` (default 100, 1..500) at a time: has_more says
 *   whether more follow and next_cursor resumes after this page; the last cursor returns
 *   nothing new. The special cursor "now" fast-forwards to the end. A cursor of another
 *   Item or account filter is INVALID_FIELD (items.ts). Status is then
 *   HISTORICAL_UPDATE_COMPLETE; `modified` and `removed` stay empty (the history never
 *   changes).
 * - options.account_id narrows to one account (INVALID_ACCOUNT_ID for an unknown one);
 *   options.include_original_description fills original_description (null otherwise).
 *   days_requested and personal_finance_category_version are accepted and change
 *   nothing: the history is three weeks, within any allowed days_requested.
 */
import { defineEndpoint } from '../endpoint';
import { transactionsSyncRequest } from '../schemas';

export const transactionsSync = defineEndpoint({
  path: '/transactions/sync',
  schema: transactionsSyncRequest,
  handle({ access_token, cursor, count, options }, { flavour, client, items }) {
    const page = items.sync({ flavour, clientId: client.clientId }, access_token, { cursor, count, accountId: options?.account_id });
    const withDescription = options?.include_original_description === true;
    return {
      transactions_update_status: page.status,
      accounts: page.accounts,
      added: page.added.map((transaction) => ({ ...transaction, original_description: withDescription ? transaction.name : null })),
      modified: [],
      removed: [],
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
    };
  },
});
