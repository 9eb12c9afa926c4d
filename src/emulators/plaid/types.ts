/**
 * The emulator's public types: the Plaid clients it knows, the faults a test can inject,
 * what it records of each request and the Items it holds.
 */

/** Which Plaid environment a server plays: https://sandbox.plaid.com or https://production.plaid.com. */
export type PlaidFlavour = 'sandbox' | 'production';

export const FLAVOURS: readonly PlaidFlavour[] = ['sandbox', 'production'];

/** A Plaid developer account as the Dashboard would configure it. */
export interface EmulatedClient {
  clientId: string;
  secrets: { sandbox: string; production?: string };
  /**
   * A second secret Plaid accepts per environment while the first is rotated (the Dashboard
   * keeps two active until the old one is deleted).
   */
  extraSecrets?: { sandbox?: string[]; production?: string[] };
  /** false: Production answers UNAUTHORIZED_ENVIRONMENT even to the right secret. */
  productionAccess: boolean;
  /** Dashboard > Developers > API > Allowed redirect URIs; /link/token/create matches them exactly. */
  allowedRedirectUris: string[];
  /** Country codes /link/token/create accepts, per flavour. */
  enabledCountries: Record<PlaidFlavour, string[]>;
  /** Names of the Link customizations created in the Dashboard ("default" always exists). */
  linkCustomizations: string[];
  /**
   * Products the team may use, per flavour (Dashboard > Products; Production needs Plaid's
   * approval per product). /link/token/create and /sandbox/public_token/create refuse others.
   */
  enabledProducts: Record<PlaidFlavour, string[]>;
}

export type Fault =
  /** A Plaid-shaped error body with this status; type and code default to Plaid's for the status and endpoint. */
  | { kind: 'status'; status: 429 | 500 | 503; errorType?: string; errorCode?: string }
  /** The request is accepted and never answered (until close()). */
  | { kind: 'timeout' }
  /** The connection is reset without an answer. */
  | { kind: 'reset' };

/** A share of every request, in both flavours, that gets a fault drawn at random (a fault matrix's weather). */
export interface FaultRate {
  /** From 0 (none) to 1 (every request). */
  rate: number;
  /** Drawn with equal odds for each faulted request. */
  faults: Fault[];
  /**
   * Seeds the draws: the same seed replays the same sequence of draws. Which request meets
   * which draw follows the order requests arrive in, so concurrent callers may still differ.
   */
  seed: number;
}

export interface RecordedRequest {
  seq: number;
  flavour: PlaidFlavour;
  path: string;
  /** When the request arrived (ISO 8601). */
  at: string;
  /** The client_id as received (header first, then body). */
  clientId?: string;
  /** Whether the secret was the client's secret for this flavour; absent when there was no secret or no such client. */
  secretMatched?: boolean;
  /** The parsed JSON body, `secret` replaced by '[redacted]'; undefined when the body was not JSON. */
  body: unknown;
  /** The HTTP status answered; 0 while unanswered and for timeout and reset faults. */
  status: number;
  /** The JSON answered; undefined while unanswered and for timeout and reset faults. */
  response: unknown;
}

export interface EmulatedItem {
  itemId: string;
  flavour: PlaidFlavour;
  clientId: string;
  institutionId: string;
  createdAt: string;
  /** Whether its public token was exchanged for an access token. */
  exchanged: boolean;
  removedAt?: string;
}
