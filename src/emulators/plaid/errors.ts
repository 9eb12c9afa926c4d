/**
 * Plaid's error answers: the body is the spec's PlaidError schema, with the fields real
 * answers carry (error_type, error_code, error_message, display_message, documentation_url,
 * suggested_action, request_id; e.g. the bodies quoted in plaid/pattern#192, plaid-ruby#344,
 * plaid/tiny-quickstart#65). Codes, statuses and messages are the ones documented on
 *   https://plaid.com/docs/errors/invalid-request/
 *   https://plaid.com/docs/errors/invalid-input/
 *   https://plaid.com/docs/errors/rate-limit-exceeded/
 *   https://plaid.com/docs/errors/api/
 * except where a function says it is a best guess.
 */
import type { Fault } from './types';

/** A refusal the emulator answers with; thrown by validation and handlers, rendered by the server. */
export class PlaidApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlaidApiError';
  }
}

export interface PlaidErrorBody {
  error_type: string;
  error_code: string;
  error_message: string;
  display_message: null;
  documentation_url: string;
  suggested_action: null;
  request_id: string;
}

/** Plaid links each error to its docs section, e.g. https://plaid.com/docs/errors/invalid-request/#invalid_field. */
function documentationUrl(errorType: string, errorCode: string): string {
  const page = errorType.replace(/_ERROR$/, '').toLowerCase().replace(/_/g, '-');
  return `https://plaid.com/docs/errors/${page}/#${errorCode.toLowerCase()}`;
}

export function errorBody(error: PlaidApiError, requestId: string): PlaidErrorBody {
  return {
    error_type: error.errorType,
    error_code: error.errorCode,
    error_message: error.message,
    display_message: null,
    documentation_url: documentationUrl(error.errorType, error.errorCode),
    suggested_action: null,
    request_id: requestId,
  };
}

const invalidRequest = (code: string, message: string, status = 400) => new PlaidApiError(status, 'INVALID_REQUEST', code, message);
const invalidInput = (code: string, message: string) => new PlaidApiError(400, 'INVALID_INPUT', code, message);

export const notFound = () => invalidRequest('NOT_FOUND', 'not found', 404);

export const sandboxOnly = (path: string) =>
  invalidRequest('SANDBOX_ONLY', `access to ${path} is only available in the sandbox environment at https://sandbox.plaid.com/`);

export const invalidBody = () => invalidRequest('INVALID_BODY', 'body could not be parsed as JSON');

/** The docs give no wording for INVALID_HEADERS ("specific to the given / missing header"): best guess. */
export const missingContentType = () => invalidRequest('INVALID_HEADERS', 'the following required headers are missing: Content-Type');

export const missingFields = (fields: readonly string[]) =>
  invalidRequest('MISSING_FIELDS', `the following required fields are missing: ${fields.join(', ')}`);

export const unknownFields = (fields: readonly string[]) =>
  invalidRequest('UNKNOWN_FIELDS', `the following fields are not recognized by this endpoint: ${fields.join(', ')}`);

/** The message names the field and what is wrong with it, as the docs describe. */
export const invalidField = (message: string) => invalidRequest('INVALID_FIELD', message);

/** The wording Plaid answers for a malformed client_id or secret (plaid-ruby#418). */
export const malformedCredential = (field: 'client_id' | 'secret') => invalidField(`${field} must be a properly formatted, non-empty string`);

export const invalidApiKeys = () => invalidInput('INVALID_API_KEYS', 'invalid client_id or secret provided');

export const unauthorizedEnvironment = () =>
  invalidInput(
    'UNAUTHORIZED_ENVIRONMENT',
    'you are not authorized to create items in this api environment. Go to the Dashboard (https://dashboard.plaid.com) to see which environments you are authorized for.',
  );

export const invalidAccessToken = () => invalidInput('INVALID_ACCESS_TOKEN', 'could not find matching access token');

export const invalidPublicToken = () => invalidInput('INVALID_PUBLIC_TOKEN', 'could not find matching public token');

export const invalidInstitution = () => invalidInput('INVALID_INSTITUTION', 'invalid institution_id provided');

export const invalidAccountId = () => invalidInput('INVALID_ACCOUNT_ID', 'failed to find requested account ID for requested item');

/** INVALID_PRODUCT's documented causes include `balance` passed to /link/token/create; that case's wording is a best guess. */
/** Products the team may not use; the wording is Plaid's (quoted in plaid/pattern#246 and plaid/plaid-node#540). */
export const productNotAuthorized = (products: readonly string[]) =>
  invalidInput('INVALID_PRODUCT', `client is not authorized to access the following products: ${JSON.stringify(products)}`);

export const productNotForLink = (products: readonly string[]) =>
  invalidInput('INVALID_PRODUCT', `the following products cannot be used to initialize Link: ${JSON.stringify(products)}`);

const RATE_LIMIT_MESSAGE = 'rate limit exceeded for attempts to access this item. please try again later';

/** The documented per-endpoint rate-limit codes; other endpoints get the generic RATE_LIMIT. */
const RATE_LIMITS: Record<string, { code: string; message: string }> = {
  '/accounts/get': { code: 'ACCOUNTS_LIMIT', message: RATE_LIMIT_MESSAGE },
  // The docs quote "institutions get by id" for this code too; kept verbatim.
  '/institutions/get': { code: 'INSTITUTIONS_GET_LIMIT', message: 'rate limit exceeded for attempts to access "institutions get by id". please try again later' },
  '/transactions/sync': { code: 'TRANSACTIONS_SYNC_LIMIT', message: RATE_LIMIT_MESSAGE },
};

const INTERNAL_ERROR = { type: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', message: 'an unexpected error occurred' };

const FAULT_DEFAULTS: Record<429 | 500 | 503, (path: string) => { type: string; code: string; message: string }> = {
  429: (path) => ({ type: 'RATE_LIMIT_EXCEEDED', ...(RATE_LIMITS[path] ?? { code: 'RATE_LIMIT', message: RATE_LIMIT_MESSAGE }) }),
  500: () => INTERNAL_ERROR,
  503: () => ({
    type: 'API_ERROR',
    code: 'PLANNED_MAINTENANCE',
    message: 'the Plaid API is temporarily unavailable due to planned maintenance. visit https://status.plaid.com/ for more information',
  }),
};

/** The answer to an injected status fault; a code the test chose keeps the status's default message. */
export function faultError(path: string, fault: Extract<Fault, { kind: 'status' }>): PlaidApiError {
  const defaults = FAULT_DEFAULTS[fault.status](path);
  return new PlaidApiError(fault.status, fault.errorType ?? defaults.type, fault.errorCode ?? defaults.code, defaults.message);
}

/** What a bug in the emulator answers: Plaid's own INTERNAL_SERVER_ERROR. */
export const internalError = () => new PlaidApiError(500, INTERNAL_ERROR.type, INTERNAL_ERROR.code, INTERNAL_ERROR.message);
