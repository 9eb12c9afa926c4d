/**
 * What the workflow may ask of activities: their inputs, outputs and failure types.
 * Workflow code imports this module (types and constants only, no I/O).
 */
import type { CountryCode, PlaidEnvironment, SecretRef } from '../shared/schemas';
import type { Evidence, Notification } from '../shared/state';

/** A check that Plaid answered and refused: the operator has something to fix. */
export const CHECK_FAILED = 'PlaidCheckFailed';
/** Plaid could not be reached or was overloaded: worth retrying with backoff. */
export const CHECK_UNAVAILABLE = 'PlaidUnavailable';
/** The vault could not give back a secret (missing, tampered, wrong key). */
export const VAULT_ERROR = 'VaultError';

export interface SandboxTestInput {
  setupId: string;
  clientId: string;
  secret: SecretRef;
  countryCodes: CountryCode[];
  linkCustomizationName?: string;
}

export interface VerifyCredentialsInput {
  setupId: string;
  environment: PlaidEnvironment;
  clientId: string;
  secret: SecretRef;
  countryCodes: CountryCode[];
}

export interface SetupActivities {
  runSandboxTest(input: SandboxTestInput): Promise<Evidence>;
  verifyCredentials(input: VerifyCredentialsInput): Promise<Evidence>;
  notify(notification: Notification): Promise<void>;
}
