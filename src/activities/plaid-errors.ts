/**
 * Plaid failures as the operator needs them: a code, whether retrying can help, and what
 * to fix. The SDK's error object carries the secret in its request headers, so only
 * chosen fields of the response body are ever read from it.
 */
import type { PlaidEnvironment } from '../shared/schemas';

export class PlaidCheckError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly action: string,
    readonly retryable: boolean,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'PlaidCheckError';
  }
}

interface PlaidErrorBody {
  error_type?: unknown;
  error_code?: unknown;
  request_id?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function classifyPlaidError(err: unknown, environment: PlaidEnvironment): PlaidCheckError {
  const e = err as { response?: { status?: unknown; data?: unknown }; code?: unknown };
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (status === undefined) {
    const transport = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
    return new PlaidCheckError(
      'PLAID_UNREACHABLE',
      `Plaid ${environment} could not be reached (${transport}).`,
      'Check the network and Plaid status, then try again.',
      true,
    );
  }
  const body = (typeof e.response?.data === 'object' && e.response.data !== null ? e.response.data : {}) as PlaidErrorBody;
  const code = text(body.error_code) ?? `HTTP_${status}`;
  const type = text(body.error_type);
  const requestId = text(body.request_id);
  const retryable = status === 429 || status >= 500 || type === 'RATE_LIMIT_EXCEEDED' || type === 'API_ERROR';
  if (code === 'INVALID_API_KEYS') {
    return new PlaidCheckError(
      code,
      `Plaid rejected the ${environment} client_id and secret (INVALID_API_KEYS).`,
      `Copy the client_id and the ${environment} secret again from Plaid Dashboard > Team Settings > Keys and enter them again.`,
      false,
      requestId,
    );
  }
  return new PlaidCheckError(
    code,
    `Plaid ${environment} answered ${status}${type ? ` ${type}` : ''} (${code}).`,
    retryable ? 'Try again in a few minutes.' : 'Check the setup values against the Plaid Dashboard, then try again.',
    retryable,
    requestId,
  );
}
