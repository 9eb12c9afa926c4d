/**
 * Errors outside workflow code. Each has a stable code and a message that says what
 * happened and what to do; none ever carries a secret value.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  PORT_IN_USE: 'PORT_IN_USE',
  TEMPORAL_CLI_MISSING: 'TEMPORAL_CLI_MISSING',
  TEMPORAL_UNREACHABLE: 'TEMPORAL_UNREACHABLE',
  VAULT_KEY_MISSING: 'VAULT_KEY_MISSING',
  ASSERTION_KEY_MISSING: 'ASSERTION_KEY_MISSING',
  VAULT_KEY_INVALID: 'VAULT_KEY_INVALID',
  VAULT_NOT_FOUND: 'VAULT_NOT_FOUND',
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  VAULT_DECRYPT_FAILED: 'VAULT_DECRYPT_FAILED',
  SECRET_REF_MISMATCH: 'SECRET_REF_MISMATCH',
  SECRET_FINGERPRINT_MISMATCH: 'SECRET_FINGERPRINT_MISMATCH',
  INPUT_INVALID: 'INPUT_INVALID',
  SETUP_NOT_FOUND: 'SETUP_NOT_FOUND',
  SETUP_EXISTS: 'SETUP_EXISTS',
  ACTION_REJECTED: 'ACTION_REJECTED',
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  SETUP_NOT_ANSWERING: 'SETUP_NOT_ANSWERING',
  FORBIDDEN: 'FORBIDDEN',
  PLAID_ENVIRONMENT_UNSUPPORTED: 'PLAID_ENVIRONMENT_UNSUPPORTED',
  PAYLOAD_KEY_INVALID: 'PAYLOAD_KEY_INVALID',
  PAYLOAD_KEY_UNKNOWN: 'PAYLOAD_KEY_UNKNOWN',
  PAYLOAD_DECRYPT_FAILED: 'PAYLOAD_DECRYPT_FAILED',
  DEMO_FAILED: 'DEMO_FAILED',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class PlaidSetupError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PlaidSetupError';
  }
}

export function isPlaidSetupError(err: unknown, code?: ErrorCode): err is PlaidSetupError {
  return err instanceof PlaidSetupError && (code === undefined || err.code === code);
}

/**
 * The workflow definitely did not take the action: the validator refused it, there is no
 * such setup, or the input was refused before anything was sent. Only then may what was
 * stored for the action (a secret) be removed; after any other error the workflow may hold
 * a reference to it.
 */
export function isDefiniteRefusal(err: unknown): boolean {
  return isPlaidSetupError(err, ERROR_CODES.ACTION_REJECTED) || isPlaidSetupError(err, ERROR_CODES.SETUP_NOT_FOUND) || isPlaidSetupError(err, ERROR_CODES.INPUT_INVALID);
}
