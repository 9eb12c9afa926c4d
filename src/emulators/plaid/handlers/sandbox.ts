/**
 * POST /sandbox/public_token/create (Sandbox only: Production answers SANDBOX_ONLY, see routes.ts)
 * Sources: spec schemas SandboxPublicTokenCreateRequest, SandboxPublicTokenCreateRequestOptions,
 * SandboxPublicTokenCreateResponse; https://plaid.com/docs/api/sandbox/#sandboxpublic_tokencreate
 * - institution_id and initial_products (at least one Products value) are required.
 * - institution_id must be a Sandbox institution: else INVALID_INSTITUTION
 *   (https://plaid.com/docs/errors/invalid-input/#invalid_institution).
 * - initial_products the team may not use is INVALID_PRODUCT, as /link/token/create answers.
 * - The new Item is billed for initial_products and keeps options.webhook. It gets the
 *   user_good accounts and transactions whatever options.override_username says: the
 *   emulator has one data set (a simplification, not Plaid's behaviour for custom users).
 * - The answer is a `public-sandbox-<uuid>` token, single-use, valid 30 minutes (items.ts).
 */
import { defineEndpoint } from '../endpoint';
import { invalidInstitution, productNotAuthorized } from '../errors';
import { findInstitution } from '../fixtures';
import { sandboxPublicTokenCreateRequest } from '../schemas';

export const sandboxPublicTokenCreate = defineEndpoint({
  path: '/sandbox/public_token/create',
  schema: sandboxPublicTokenCreateRequest,
  handle(request, { flavour, client, items, now }) {
    const institution = findInstitution(flavour, request.institution_id);
    if (!institution) throw invalidInstitution();
    const notAuthorized = request.initial_products.filter((product) => !client.enabledProducts[flavour].includes(product));
    if (notAuthorized.length > 0) throw productNotAuthorized(notAuthorized);
    const { publicToken } = items.create(
      { flavour, clientId: client.clientId },
      { institution, products: request.initial_products, webhook: request.options?.webhook ?? null, now },
    );
    return { public_token: publicToken };
  },
});
