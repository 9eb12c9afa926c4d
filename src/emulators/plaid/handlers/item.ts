/**
 * POST /item/public_token/exchange and POST /item/remove
 * Sources: spec schemas ItemPublicTokenExchangeRequest, ItemPublicTokenExchangeResponse,
 * ItemRemoveRequest, ItemRemoveResponse; https://plaid.com/docs/api/items/#itemremove,
 * https://plaid.com/docs/api/items/#itempublic_tokenexchange
 * - A public token exchanges once, within 30 minutes, for the caller that created it in
 *   this environment; anything else is INVALID_PUBLIC_TOKEN
 *   (https://plaid.com/docs/errors/invalid-input/#invalid_public_token).
 * - /item/remove ends the Item: its access token then answers INVALID_ACCESS_TOKEN
 *   everywhere, a second removal included
 *   (https://plaid.com/docs/errors/invalid-input/#invalid_access_token).
 *   reason_code and reason_note are accepted and not kept.
 */
import { defineEndpoint } from '../endpoint';
import { itemPublicTokenExchangeRequest, itemRemoveRequest } from '../schemas';

export const itemPublicTokenExchange = defineEndpoint({
  path: '/item/public_token/exchange',
  schema: itemPublicTokenExchangeRequest,
  handle({ public_token }, { flavour, client, items, now }) {
    const { accessToken, itemId } = items.exchange({ flavour, clientId: client.clientId }, public_token, now);
    return { access_token: accessToken, item_id: itemId };
  },
});

export const itemRemove = defineEndpoint({
  path: '/item/remove',
  schema: itemRemoveRequest,
  handle({ access_token }, { flavour, client, items, now }) {
    items.remove({ flavour, clientId: client.clientId }, access_token, now);
    return {};
  },
});
