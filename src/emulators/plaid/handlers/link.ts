/**
 * POST /link/token/create
 * Sources: spec schemas LinkTokenCreateRequest, LinkTokenCreateRequestUser,
 * LinkTokenCreateResponse; https://plaid.com/docs/api/link/#linktokencreate
 * - client_name, language and country_codes are required (the schema); one of `user` or
 *   `user_id` is required, and `products` unless `access_token` launches update mode (the
 *   fields' descriptions): absent ones are MISSING_FIELDS.
 * - a product the team may not use in this environment is INVALID_PRODUCT with Plaid's
 *   wording, "client is not authorized to access the following products: [...]" (quoted in
 *   plaid/pattern#246); only `products` is judged (what Plaid does with optional_products
 *   the team lacks is not documented).
 * - `balance` in products is INVALID_PRODUCT (https://plaid.com/docs/errors/invalid-input/#invalid_product,
 *   wording a best guess); an empty products list is INVALID_FIELD (best guess).
 * - access_token must reach a live Item of the caller: else INVALID_ACCESS_TOKEN.
 * - language must be one the field's description lists: else INVALID_FIELD (best guess).
 * - redirect_uri must be on the client's allow-list exactly: else INVALID_FIELD with the
 *   message Plaid answers (quoted in plaid/tiny-quickstart#65; the cause is listed on
 *   https://plaid.com/docs/errors/invalid-request/#invalid_field).
 * - every country code must be enabled for the client in this environment: else
 *   INVALID_FIELD naming them (the docs list "an unsupported country code" as a cause;
 *   the wording is a best guess).
 * - link_customization_name must name one of the client's customizations ("default"
 *   always exists, per the field's description): else INVALID_FIELD naming it. The docs'
 *   INVALID_LINK_CUSTOMIZATION is for a customization that exists but is misconfigured,
 *   so it is not used here (best guess, matching what Sandbox was seen to answer).
 * - The token is `link-<environment>-<uuid>`; it expires 4 hours later (ISO 8601).
 */
import { defineEndpoint } from '../endpoint';
import { invalidField, productNotAuthorized, productNotForLink } from '../errors';
import { newToken } from '../ids';
import { linkTokenCreateRequest } from '../schemas';

const LANGUAGES = ['da', 'nl', 'en', 'et', 'fr', 'de', 'hi', 'it', 'lv', 'lt', 'no', 'pl', 'pt', 'ro', 'es', 'sv', 'vi'];
const NOT_LINK_PRODUCTS = ['balance'];
const LINK_TOKEN_TTL_MS = 4 * 60 * 60 * 1000;
const DEFAULT_CUSTOMIZATION = 'default';

/** Plaid's timestamps carry whole seconds: "2020-03-27T12:56:34Z". */
const plaidTimestamp = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

const absent = (value: unknown): boolean => value === undefined || value === null;

export const linkTokenCreate = defineEndpoint({
  path: '/link/token/create',
  schema: linkTokenCreateRequest,
  requires: (body) => [
    ...(absent(body.user) && absent(body.user_id) ? ['user'] : []),
    ...(absent(body.products) && absent(body.access_token) ? ['products'] : []),
  ],
  handle(request, { flavour, client, items, now }) {
    const products = request.products ?? [];
    const notForLink = products.filter((product) => NOT_LINK_PRODUCTS.includes(product));
    if (notForLink.length > 0) throw productNotForLink(notForLink);
    if (products.length === 0 && absent(request.access_token)) throw invalidField('products must be a non-empty array');
    const notAuthorized = products.filter((product) => !client.enabledProducts[flavour].includes(product));
    if (notAuthorized.length > 0) throw productNotAuthorized(notAuthorized);
    if (request.access_token) items.live({ flavour, clientId: client.clientId }, request.access_token);

    if (!LANGUAGES.includes(request.language)) throw invalidField(`language must be one of ${LANGUAGES.join(', ')}`);

    if (request.redirect_uri !== undefined && !client.allowedRedirectUris.includes(request.redirect_uri)) {
      throw invalidField('OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris');
    }

    const notEnabled = request.country_codes.filter((country) => !client.enabledCountries[flavour].includes(country));
    if (notEnabled.length > 0) {
      throw invalidField(
        `the following country codes are not enabled for this client in ${flavour}: ${[...new Set(notEnabled)].join(', ')}. ` +
          'Request access to more countries from the Plaid Dashboard',
      );
    }

    const customization = request.link_customization_name;
    if (customization !== undefined && customization !== DEFAULT_CUSTOMIZATION && !client.linkCustomizations.includes(customization)) {
      throw invalidField(`link_customization_name "${customization}" does not match any Link customization for this client; create it in the Plaid Dashboard (Link > Link customization)`);
    }

    return { link_token: newToken('link', flavour), expiration: plaidTimestamp(new Date(now.getTime() + LINK_TOKEN_TTL_MS)) };
  },
});
