/**
 * Every way a call to Plaid can fail, classified once: a stable code, whether retrying
 * can help, a sentence saying what happened and one saying what to fix.
 *
 * Plaid's error body (https://plaid.com/docs/errors/, schema PlaidError in the published
 * spec) carries error_type, error_code, error_message, display_message and request_id.
 * The SDK's error is an axios error whose `config.headers` holds PLAID-SECRET
 * (plaid-node#565), so only chosen fields of the response body and the transport code
 * are read from it; the object itself is never logged, wrapped or rethrown.
 */
import { REDIRECT_URI, type PlaidEnvironment } from '../shared/schemas';

const ENV_LABEL: Record<PlaidEnvironment, string> = { sandbox: 'Sandbox', production: 'Production' };

export class PlaidCallError extends Error {
  constructor(
    /** Plaid's error_code, or PLAID_TIMEOUT / PLAID_CONNECTION_RESET / PLAID_UNREACHABLE / HTTP_<status>. */
    readonly code: string,
    message: string,
    /** What the operator should do next. */
    readonly action: string,
    readonly retryable: boolean,
    readonly details: { environment: PlaidEnvironment; endpoint: string; status?: number; errorType?: string; requestId?: string },
  ) {
    super(message);
    this.name = 'PlaidCallError';
  }

  get requestId(): string | undefined {
    return this.details.requestId;
  }

  /** Plaid refused the call for its rate limit: it did nothing, so sending it again is always safe. */
  get rateLimited(): boolean {
    return this.details.status === 429 || this.details.errorType === 'RATE_LIMIT_EXCEEDED';
  }
}

/** What the caller was doing, so the sentence can name it. */
export interface CallContext {
  environment: PlaidEnvironment;
  /** e.g. '/link/token/create' */
  endpoint: string;
  /** The setup's values, so a refusal can name the one to fix. */
  countryCodes?: readonly string[];
  linkCustomizationName?: string;
}

const RETRYABLE_TRANSPORT: Record<string, { code: string; what: string }> = {
  ECONNABORTED: { code: 'PLAID_TIMEOUT', what: 'did not answer in time' },
  ETIMEDOUT: { code: 'PLAID_TIMEOUT', what: 'did not answer in time' },
  ECONNRESET: { code: 'PLAID_CONNECTION_RESET', what: 'closed the connection' },
  EPIPE: { code: 'PLAID_CONNECTION_RESET', what: 'closed the connection' },
  ECONNREFUSED: { code: 'PLAID_UNREACHABLE', what: 'refused the connection' },
  ENOTFOUND: { code: 'PLAID_UNREACHABLE', what: 'could not be found (DNS)' },
  EAI_AGAIN: { code: 'PLAID_UNREACHABLE', what: 'could not be found (DNS)' },
  EHOSTUNREACH: { code: 'PLAID_UNREACHABLE', what: 'could not be reached' },
  ENETUNREACH: { code: 'PLAID_UNREACHABLE', what: 'could not be reached' },
};

const RETRYABLE_CODES = new Set(['RATE_LIMIT_EXCEEDED', 'INTERNAL_SERVER_ERROR', 'PLANNED_MAINTENANCE']);
const RETRYABLE_TYPES = new Set(['RATE_LIMIT_EXCEEDED', 'API_ERROR']);

const text = (v: unknown, max = 300): string | undefined =>
  typeof v === 'string' && v.trim().length > 0 ? v.trim().slice(0, max) : undefined;

interface ReadError {
  status?: number;
  transport?: string;
  body: { errorType?: string; errorCode?: string; message?: string; requestId?: string };
}

/** Reads the few fields classification needs, touching nothing else on the error. */
function read(err: unknown): ReadError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { response?: { status?: unknown; data?: unknown }; code?: unknown };
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const data = (typeof e.response?.data === 'object' && e.response.data !== null ? e.response.data : {}) as Record<string, unknown>;
  return {
    ...(status !== undefined ? { status } : {}),
    ...(typeof e.code === 'string' ? { transport: e.code } : {}),
    body: {
      ...(text(data.error_type) ? { errorType: text(data.error_type) } : {}),
      ...(text(data.error_code) ? { errorCode: text(data.error_code) } : {}),
      ...(text(data.error_message) ? { message: text(data.error_message) } : {}),
      ...(text(data.request_id, 64) ? { requestId: text(data.request_id, 64) } : {}),
    },
  };
}

/** Turns anything a Plaid call threw into a PlaidCallError that is safe to log and show. */
export function classifyPlaidError(err: unknown, ctx: CallContext): PlaidCallError {
  if (err instanceof PlaidCallError) return err;
  const env = ENV_LABEL[ctx.environment];
  const { status, transport, body } = read(err);
  const base = { environment: ctx.environment, endpoint: ctx.endpoint };

  if (status === undefined) {
    const known = transport ? RETRYABLE_TRANSPORT[transport] : undefined;
    const code = known?.code ?? 'PLAID_UNREACHABLE';
    const what = known?.what ?? `could not be reached${transport ? ` (${transport})` : ''}`;
    return new PlaidCallError(
      code,
      `Plaid ${env} ${what} on ${ctx.endpoint}.`,
      "Nothing to fix in the setup: it is retried automatically. If it keeps failing, check the network and Plaid's status page.",
      true,
      base,
    );
  }

  const details = { ...base, status, ...(body.errorType ? { errorType: body.errorType } : {}), ...(body.requestId ? { requestId: body.requestId } : {}) };
  const code = body.errorCode ?? `HTTP_${status}`;
  const said = body.message ? ` Plaid said: "${body.message}"` : '';
  const make = (message: string, action: string, retryable = false) => new PlaidCallError(code, message, action, retryable, details);

  if (status === 429 || status >= 500 || RETRYABLE_CODES.has(code) || (body.errorType && RETRYABLE_TYPES.has(body.errorType))) {
    const why = status === 429 || code === 'RATE_LIMIT_EXCEEDED' ? 'is rate-limiting requests' : code === 'PLANNED_MAINTENANCE' ? 'is under planned maintenance' : `had an internal error (${code})`;
    return make(
      `Plaid ${env} ${why} on ${ctx.endpoint}.`,
      "Nothing to fix in the setup: it is retried automatically with backoff. If it keeps failing, check Plaid's status page.",
      true,
    );
  }

  switch (code) {
    case 'INVALID_API_KEYS':
      return make(
        `Plaid ${env} rejected the client_id and ${env} secret (INVALID_API_KEYS).`,
        ctx.environment === 'sandbox'
          ? 'Copy the client_id and the Sandbox secret again from Plaid Dashboard > Team Settings > Keys and submit the credentials again.'
          : 'Copy the Production secret again from Plaid Dashboard > Team Settings > Keys (it differs from the Sandbox secret) and submit it again.',
      );
    case 'UNAUTHORIZED_ENVIRONMENT':
      return make(
        `This Plaid client is not authorised for ${env} (UNAUTHORIZED_ENVIRONMENT).`,
        ctx.environment === 'production'
          ? 'Finish "Migrate to Production" in the Plaid Dashboard and wait for Plaid to grant Production access, then submit the Production secret again.'
          : `Check in the Plaid Dashboard that the client has ${env} access, then try again.`,
      );
    case 'INVALID_LINK_CUSTOMIZATION':
      return unknownCustomization(make, env, ctx, said);
    case 'INVALID_PRODUCT':
      return missingProducts(make, env, body.message ?? '');
  }

  if (code === 'INVALID_FIELD') {
    const message = (body.message ?? '').toLowerCase();
    if (message.includes('redirect')) {
      return make(
        `Plaid ${env} refused the redirect URI ${REDIRECT_URI}: it is not on the client's allow-list (INVALID_FIELD).${said}`,
        `Add ${REDIRECT_URI} under Team Settings > API > Allowed redirect URIs in the Plaid Dashboard, then run the check again.`,
      );
    }
    if (message.includes('country')) {
      const codes = ctx.countryCodes?.length ? ` ${ctx.countryCodes.join(',')}` : '';
      return make(
        `Plaid ${env} refused the country codes${codes} (INVALID_FIELD).${said}`,
        'Ask Plaid to enable those countries for the client (Plaid Dashboard > Team Settings), or choose only enabled countries in the settings step, then run the check again.',
      );
    }
    if (message.includes('customization')) return unknownCustomization(make, env, ctx, said);
  }

  if (code.startsWith('INVALID_')) {
    return make(
      `Plaid ${env} refused the request to ${ctx.endpoint} (${code}).${said}`,
      'Correct the value Plaid names in the setup, then run the check again.',
    );
  }
  return make(
    `Plaid ${env} answered ${status}${body.errorType ? ` ${body.errorType}` : ''} (${code}) on ${ctx.endpoint}.${said}`,
    'Check the setup against the Plaid Dashboard, then run the check again. Quote the Plaid request id to Plaid support if it persists.',
  );
}

/** What Codat reads with each product it needs, for the sentence that asks for it. */
const PRODUCT_USES: Record<string, string> = {
  auth: 'Auth (Codat reads account and routing numbers with it)',
  identity: 'Identity (Codat reads the account holder with it)',
  transactions: 'Transactions (Codat reads bank transactions with it)',
  assets: 'Assets (Codat reads balances and history for asset reports with it)',
};

/**
 * INVALID_PRODUCT: Plaid lists the products the team may not use as a JSON array in its
 * message ("client is not authorized to access the following products: [\"identity\"]").
 * One sentence per product; only known product names are repeated.
 */
function missingProducts(make: (message: string, action: string) => PlaidCallError, env: string, plaidMessage: string): PlaidCallError {
  const listed = /\[([^\]]*)\]/.exec(plaidMessage)?.[1] ?? '';
  const products = [...listed.matchAll(/"([a-z_]{1,40})"/g)].map((m) => m[1] as string);
  const named = products.length > 0 ? `: ${products.join(', ')}` : '';
  const where =
    env === 'Production'
      ? 'request Production access to it in the Plaid Dashboard (Products, or a product access request to Plaid support)'
      : 'enable it for the team in the Plaid Dashboard (Products)';
  const asks = (products.length > 0 ? products : ['the products Codat needs']).map(
    (p) => `${PRODUCT_USES[p] ?? p}: ${where}.`,
  );
  return make(
    `This Plaid team may not use every product Codat needs in ${env}${named} (INVALID_PRODUCT).`,
    `${asks.join(' ')} Then run the check again.`,
  );
}

function unknownCustomization(
  make: (message: string, action: string) => PlaidCallError,
  env: string,
  ctx: CallContext,
  said: string,
): PlaidCallError {
  const name = ctx.linkCustomizationName ? ` "${ctx.linkCustomizationName}"` : '';
  return make(
    `Plaid ${env} does not know the Link customization${name}.${said}`,
    'Create it under Link > Link customization in the Plaid Dashboard (the name must match exactly), or clear the name in the settings step, then run the check again.',
  );
}
