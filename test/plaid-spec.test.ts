/**
 * Tests the OpenAPI validator contract tests rely on. Payloads are written by hand from
 * Plaid's spec (2020-09-14); they are skipped on machines without the spec file.
 */
import { loadPlaidSpec, PLAID_SPEC_PATH, type PlaidSpec } from './support/plaid-spec';

const spec = loadPlaidSpec();
const skipReason = `Plaid OpenAPI spec not found at ${PLAID_SPEC_PATH}`;
if (!spec) console.warn(`plaid-spec tests skipped: ${skipReason}`);

const PATHS_WE_CALL = [
  '/institutions/get',
  '/link/token/create',
  '/sandbox/public_token/create',
  '/item/public_token/exchange',
  '/accounts/get',
  '/transactions/sync',
  '/item/remove',
];

// client_id/secret are left out: the SDK sends them as headers and the spec does not require them in the body.
const institutionsRequest = { count: 10, offset: 0, country_codes: ['US'], options: { products: ['transactions'] } };

const institution = {
  institution_id: 'ins_109508',
  name: 'First Platypus Bank',
  products: ['auth', 'transactions'],
  country_codes: ['US'],
  url: null,
  primary_color: null,
  logo: null,
  routing_numbers: ['011000138'],
  oauth: false,
};

const institutionsResponse = { institutions: [institution], total: 1, request_id: 'req-institutions' };

const plaidError = {
  error_type: 'INVALID_REQUEST',
  error_code: 'MISSING_FIELDS',
  error_message: 'the following required fields are missing: country_codes',
  display_message: null,
  request_id: 'req-error',
};

const item = {
  item_id: 'item-1',
  institution_id: 'ins_109508',
  webhook: null,
  error: null,
  available_products: ['balance'],
  billed_products: ['transactions'],
  consent_expiration_time: null,
  update_type: 'background',
};

const account = {
  account_id: 'acc-1',
  balances: { available: 100, current: 110, limit: null, iso_currency_code: 'USD', unofficial_currency_code: null },
  mask: '0000',
  name: 'Plaid Checking',
  official_name: null,
  type: 'depository',
  subtype: 'checking',
};

/** A copy of `body` lacking `field`. */
function without(body: object, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));
}

(spec ? describe : describe.skip)(spec ? 'Plaid OpenAPI spec' : `skipped: ${skipReason}`, () => {
  // describe.skip still runs this body to collect the tests, but never their bodies.
  const plaid = spec as PlaidSpec;

  it.each(PATHS_WE_CALL)('has POST %s, and its request, 200 and error schemas compile', (path) => {
    expect(plaid.validateRequest(path, {}).ok).toBe(false);
    expect(plaid.validateResponse(path, 200, {}).ok).toBe(false);
    expect(plaid.validateResponse(path, 400, plaidError)).toEqual({ ok: true, errors: [] });
  });

  it('throws for a path the spec does not have', () => {
    expect(() => plaid.validateRequest('/no/such/endpoint', {})).toThrow('Plaid spec has no POST /no/such/endpoint');
  });

  it('accepts a well-formed /institutions/get request', () => {
    expect(plaid.validateRequest('/institutions/get', institutionsRequest)).toEqual({ ok: true, errors: [] });
  });

  it('rejects a request missing a required field, saying which', () => {
    expect(plaid.validateRequest('/institutions/get', without(institutionsRequest, 'country_codes'))).toEqual({
      ok: false,
      errors: ["(root): must have required property 'country_codes'"],
    });
  });

  it('rejects wrongly typed fields and values outside an enum, saying where', () => {
    const check = plaid.validateRequest('/institutions/get', { ...institutionsRequest, count: '10', country_codes: ['XX'] });
    expect(check.ok).toBe(false);
    expect(check.errors).toContain('/count: must be integer');
    expect(check.errors).toContainEqual(expect.stringMatching(/^\/country_codes\/0: must be equal to one of the allowed values: "US", /));
  });

  it('accepts a well-formed /institutions/get response, nullable fields included', () => {
    expect(plaid.validateResponse('/institutions/get', 200, institutionsResponse)).toEqual({ ok: true, errors: [] });
  });

  it('checks an error status against PlaidError, which requires error_code', () => {
    expect(plaid.validateResponse('/institutions/get', 400, plaidError)).toEqual({ ok: true, errors: [] });
    expect(plaid.validateResponse('/institutions/get', 400, without(plaidError, 'error_code'))).toEqual({
      ok: false,
      errors: ["(root): must have required property 'error_code'"],
    });
  });

  it('lets null through a nullable enum and a nullable $ref target, and nothing else through the enum', () => {
    // AccountSubtype is `nullable: true` with an enum that does not list null; Item.error is a nullable PlaidError.
    const body = { accounts: [{ ...account, subtype: null }], item, request_id: 'req-accounts' };
    expect(plaid.validateResponse('/accounts/get', 200, body)).toEqual({ ok: true, errors: [] });
    const wrong = { ...body, accounts: [{ ...account, subtype: 'piggy bank' }] };
    expect(plaid.validateResponse('/accounts/get', 200, wrong).errors).toContainEqual(
      expect.stringMatching(/^\/accounts\/0\/subtype: must be equal to one of the allowed values/),
    );
  });

  it('lets null through a nullable allOf without a type', () => {
    // ItemGetResponse.status is ItemStatusNullable: `nullable: true` beside an allOf and no `type`.
    const body = { item, status: null, request_id: 'req-item' };
    expect(plaid.validateResponse('/item/get', 200, body)).toEqual({ ok: true, errors: [] });
    expect(plaid.validateResponse('/item/get', 200, { ...body, status: 'healthy' }).ok).toBe(false);
  });

  it('finds no undeclared fields in a body the spec describes fully', () => {
    expect(plaid.undeclaredResponseFields('/institutions/get', 200, institutionsResponse)).toEqual([]);
    expect(plaid.undeclaredResponseFields('/institutions/get', 500, plaidError)).toEqual([]);
  });

  it('finds an invented field nested in an array item, though the schema allows additional properties', () => {
    const body = { ...institutionsResponse, institutions: [institution, { ...institution, invented_field: true }] };
    expect(plaid.validateResponse('/institutions/get', 200, body).ok).toBe(true);
    expect(plaid.undeclaredResponseFields('/institutions/get', 200, body)).toEqual(['/institutions/1/invented_field']);
  });

  it('follows $ref and allOf when looking for invented fields', () => {
    // ItemGetResponse.item is ItemWithConsentFields: allOf Item plus the consent fields.
    const body = { item: { ...item, created_at: '2024-01-01T00:00:00Z', invented: 1 }, request_id: 'req-item' };
    expect(plaid.undeclaredResponseFields('/item/get', 200, body)).toEqual(['/item/invented']);
  });
});
