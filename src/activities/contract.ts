/**
 * What the workflow may ask of activities: their inputs, outputs and failure types.
 * Workflow code imports this module (types and constants only, no I/O).
 */
import type { CountryCode, PlaidEnvironment, SecretRef } from '../shared/schemas';
import type { Evidence, MessageRef, Notification, ProductionRequest, SetupView } from '../domain/state';

/**
 * Failure types of the checks; each carries one Problem (domain/state.ts) as its only detail.
 * A check that Plaid answered and refused: the operator has something to fix.
 */
export const CHECK_FAILED = 'PlaidCheckFailed';
/** Plaid could not be reached or was overloaded: worth retrying with backoff. */
export const CHECK_UNAVAILABLE = 'PlaidUnavailable';
/** The vault could not give back a secret (missing, tampered, wrong key). */
export const VAULT_ERROR = 'VaultError';
/** Slack refused a call for good (channel gone, bot removed, not configured): do not retry. */
export const SLACK_REFUSED = 'SlackRefused';

/** Who and what a check runs as: the client_id and a vault reference to the secret. */
export interface PlaidCredentialsRef {
  setupId: string;
  environment: PlaidEnvironment;
  clientId: string;
  secret: SecretRef;
}

export interface VerifyCredentialsInput extends PlaidCredentialsRef {
  countryCodes: CountryCode[];
}

export interface LinkConfigurationInput extends PlaidCredentialsRef {
  countryCodes: CountryCode[];
  linkCustomizationName?: string;
}

export type SandboxSmokeTestInput = Omit<PlaidCredentialsRef, 'environment'>;

/** Heartbeat details of the smoke test: where it got to (never a token). */
export interface SmokeProgress {
  phase: string;
  itemId?: string;
}

export interface PublishChecklistInput {
  channel: string;
  /** The message to update; a new message is posted when absent. */
  ts?: string;
  view: SetupView;
}

export interface NotifyInput {
  notification: Notification;
  /** The setup as it stands, for notifiers that show it. */
  view: SetupView;
}

export interface NotifyResult {
  /** Messages posted that later changes must update (approval requests). */
  messages: MessageRef[];
}

export interface CloseApprovalRequestsInput {
  messages: MessageRef[];
  /** The request the messages were sent for: the current one, or one it replaced. */
  request: ProductionRequest;
  view: SetupView;
}

export interface CodatCheckInput {
  setupId: string;
}

/** The credentials to write to Codat: the secret by reference, opened in the activity only for the call. */
export interface CodatWriteInput {
  setupId: string;
  clientId: string;
  kind: 'sandbox' | 'production';
  secret: SecretRef;
}

export interface SetupActivities {
  /** The ids of the running setups on this task queue that are enabled (for the drift watch). */
  listEnabledSetups(): Promise<string[]>;
  /**
   * Reads the Plaid integration from Codat: `codatChecked` false when the worker has no
   * CODAT_API_KEY, else `codatEnabled` as Codat shows it.
   */
  readCodatIntegration(input: CodatCheckInput): Promise<Evidence>;
  /**
   * Writes client_id and secret to Codat's partner credentials endpoint (opt-in,
   * CODAT_WRITE_CREDENTIALS); fails with CODAT_WRITE_OFF when the worker may not.
   */
  writeCodatCredentials(input: CodatWriteInput): Promise<Evidence>;
  /** `/institutions/get` in the environment: the keys work. */
  verifyCredentials(input: VerifyCredentialsInput): Promise<Evidence>;
  /** `/link/token/create`: redirect URI allowed, countries enabled, customization exists. */
  checkLinkConfiguration(input: LinkConfigurationInput): Promise<Evidence>;
  /** A Sandbox Item created, read and removed. */
  runSandboxSmokeTest(input: SandboxSmokeTestInput): Promise<Evidence>;
  /** Tells the people a notification is for; returns the messages to keep current. */
  notify(input: NotifyInput): Promise<NotifyResult>;
  /** Posts or updates the setup's checklist message. */
  publishChecklist(input: PublishChecklistInput): Promise<MessageRef>;
  /** Shows the decision (expiry, supersession) on every message sent with the request's buttons. */
  closeApprovalRequests(input: CloseApprovalRequestsInput): Promise<void>;
}
