/**
 * POST /accounts/get
 * Sources: spec schemas AccountsGetRequest, AccountsGetResponse, AccountBase, AccountBalance,
 * Item; https://plaid.com/docs/api/accounts/#accountsget
 * - access_token must reach a live Item of the caller in this environment: else
 *   INVALID_ACCESS_TOKEN (https://plaid.com/docs/errors/invalid-input/#invalid_access_token).
 * - options.account_ids narrows the accounts; an id the Item does not have is
 *   INVALID_ACCOUNT_ID (https://plaid.com/docs/errors/invalid-input/#invalid_account_id).
 * - `item` carries the fields the Item schema requires (error null, consent_expiration_time
 *   null, update_type "background") plus institution, products and webhook.
 */
import { defineEndpoint } from '../endpoint';
import { invalidAccountId } from '../errors';
import type { LiveItem } from '../items';
import { accountsGetRequest } from '../schemas';

/** The spec's Item object for an Item. */
function itemObject(item: LiveItem): object {
  return {
    item_id: item.itemId,
    institution_id: item.institution.institution_id,
    institution_name: item.institution.name,
    webhook: item.webhook,
    error: null,
    available_products: item.institution.products.filter((product) => !item.products.includes(product)),
    billed_products: item.products,
    products: item.products,
    consent_expiration_time: null,
    update_type: 'background',
  };
}

export const accountsGet = defineEndpoint({
  path: '/accounts/get',
  schema: accountsGetRequest,
  handle({ access_token, options }, { flavour, client, items }) {
    const item = items.live({ flavour, clientId: client.clientId }, access_token);
    const wanted = options?.account_ids;
    if (wanted?.some((id) => !item.accounts.some((account) => account.account_id === id))) throw invalidAccountId();
    const accounts = wanted ? item.accounts.filter((account) => wanted.includes(account.account_id)) : item.accounts;
    return { accounts, item: itemObject(item) };
  },
});
