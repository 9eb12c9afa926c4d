/**
 * The setup's state as the workflow holds it and its query returns it. It carries
 * references and fingerprints of secrets, never their values.
 */
import type {
  Actor,
  CountryCode,
  PlaidEnvironment,
  SecretKind,
  SecretRef,
  StepId,
  StepStatus,
  SyncMode,
} from '../shared/schemas';

export type ActorRef = Pick<Actor, 'id' | 'displayName' | 'source'>;

/**
 * What went wrong, in words the operator can act on: what a failed check reports (the
 * activity's failure details), what the workflow records and what a step shows. `code` is
 * stable for tooling.
 */
export interface Problem {
  code: string;
  message: string;
  action: string;
  /** Plaid's request_id, kept for Plaid support. */
  requestId?: string;
}

/** A Problem as the state keeps it: with when it happened. */
export type DatedProblem = Problem & { at: string };

export type Evidence = Record<string, string | number | boolean>;

export interface StepState {
  id: StepId;
  title: string;
  status: StepStatus;
  /** Who last acted on the step, and when. */
  actor?: ActorRef;
  at?: string;
  /** What happened last, or what to do next. */
  detail?: string;
  /** What a passed check proved (never a token or secret). */
  evidence?: Evidence;
  error?: DatedProblem;
}

export interface SetupOptions {
  /** Idle time before the first reminder about a step that waits on a person. */
  reminderAfterMs: number;
  /** How long approvers have to decide on a production request. */
  approvalTimeoutMs: number;
  /** Distinct approvers a production request needs (PLAID_SETUP_APPROVALS_REQUIRED); absent in setups started before quorum: one. */
  approvalsRequired?: number;
  /** How long a request waits before the escalation approvers are told (PLAID_SETUP_ESCALATE_AFTER); absent: never. */
  escalateAfterMs?: number;
  /** True when the workers write credentials to Codat (CODAT_WRITE_CREDENTIALS): the checklist offers it. */
  codatWrite?: boolean;
}

export interface SetupData {
  redirectUri: string;
  clientId?: string;
  sandboxSecret?: SecretRef;
  /** Legacy: Plaid retired the Development environment in June 2024. */
  developmentSecret?: SecretRef;
  productionSecret?: SecretRef;
  /** A Production secret submitted but not yet verified; it replaces nothing until it is. */
  pendingProductionSecret?: SecretRef;
  /** True once the operator confirmed the verified Production secret is in the Codat Portal. */
  productionSecretConfirmed: boolean;
  environment: PlaidEnvironment;
  /** The codes the operator chose; empty means the environment's default. */
  requestedCountryCodes: CountryCode[];
  /** The codes in force: the choice, or the environment's default. */
  countryCodes: CountryCode[];
  syncMode?: SyncMode;
  linkCustomizationName?: string;
}

/**
 * What an approver approves: the values production will run with. Changing any of them
 * after the request supersedes it, and `enable` is refused while they differ.
 */
export interface ApprovalSubject {
  clientId: string;
  environment: 'production';
  /** The country codes production uses: the operator's choice, or Production's default. */
  countryCodes: CountryCode[];
  syncMode: SyncMode;
  linkCustomizationName?: string;
}

export interface ProductionRequest {
  /** `pr-1`, `pr-2`, …: a decision names the request it is about. */
  id: string;
  subject: ApprovalSubject;
  requestedBy: ActorRef;
  requestedAt: string;
  note?: string;
  expiresAt: string;
  /** Distinct approvers it needs; absent in requests made before quorum: one. */
  required?: number;
  /** When the escalation approvers were told it is still waiting. */
  escalatedAt?: string;
  /** Approvals so far, in order; the request is approved when they reach `required`. */
  approvals?: Array<{ by: ActorRef; at: string; comment?: string }>;
  /** `superseded`: the values changed after the request (or its approval). */
  decision?: 'approved' | 'rejected' | 'expired' | 'superseded';
  decidedBy?: ActorRef;
  decidedAt?: string;
  reason?: string;
  /** Every message sent with this request's Approve / Reject buttons (requests, reminders), to close once decided. */
  messages?: MessageRef[];
  /** True once every request message shows the decision. */
  messagesClosed?: boolean;
}

export interface Rotation {
  kind: Exclude<SecretKind, 'development'>;
  status: 'in_progress' | 'done' | 'failed';
  fingerprint: string;
  actor: ActorRef;
  at: string;
  error?: DatedProblem;
  /**
   * Plaid keeps two secrets active while one is rotated: once the new one is in force, the
   * one it replaced is to be deleted in Plaid, and plaid-setup checks Plaid then refuses it.
   */
  retirement?: { secret: SecretRef; status: 'pending' | 'checking' | 'confirmed' | 'still_works'; at?: string; error?: DatedProblem };
}

/** A Slack message the bot posted and keeps current. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** Where the setup lives in Slack: its checklist message. */
export interface SlackLinks {
  channel: string;
  /** Set once the checklist message is posted. */
  ts?: string;
}

/** Work the workflow runs through an activity, outside any update handler. */
export type Job =
  | { id: number; kind: 'sandbox_test' }
  | { id: number; kind: 'production_secret'; secret: SecretRef }
  | { id: number; kind: 'rotation'; secretKind: 'sandbox' | 'production'; secret: SecretRef }
  /** The drift watch: the live keys of an enabled setup, in its environment. */
  | { id: number; kind: 'drift'; environment: PlaidEnvironment; secret: SecretRef }
  /** After a rotation: the replaced secret, which Plaid should now refuse. */
  | { id: number; kind: 'retire'; secretKind: 'sandbox' | 'production'; secret: SecretRef }
  /** Writing client_id and a secret to Codat's credentials endpoint, then confirming that step. */
  | { id: number; kind: 'codat_write'; target: 'codat_portal' | 'production_secret'; secretKind: 'sandbox' | 'production'; secret: SecretRef; by: ActorRef }
  /** Migrating from Sandbox to Production: the Production keys, checked before the switch. */
  | { id: number; kind: 'migration'; secret: SecretRef; by: ActorRef };

export interface SetupState {
  setupId: string;
  name: string;
  /** Bumped on every change; lets a reader tell two states apart. */
  version: number;
  status: 'active' | 'cancelled';
  createdAt: string;
  createdBy: ActorRef;
  /** The first step not done, or null once every step is done. */
  currentStep: StepId | null;
  steps: StepState[];
  data: SetupData;
  production?: ProductionRequest;
  /** The number the next production request gets. */
  nextRequestNumber: number;
  /** Requests replaced by a newer one whose messages still show buttons, until they are closed. */
  earlierRequests?: ProductionRequest[];
  enabled: boolean;
  rotation?: Rotation;
  lastError?: DatedProblem & { step: StepId | 'rotation' };
  cancelled?: { actor: ActorRef; at: string; reason?: string };
  options: SetupOptions;
  job?: Job;
  nextJobId: number;
  /**
   * A read-back of the integration in Codat, waiting to run: the state it should show
   * (enabled or not), and whether someone asked for it (checkCodat) or it follows enable or
   * disable. Runs beside jobs, so it holds nothing up.
   */
  codatCheck?: { expected: boolean; asked: boolean };
  /**
   * The switch from the Sandbox phase (enabled in Sandbox after the Codat Portal step) to
   * Production, once production is approved and its secret confirmed in Codat.
   */
  migration?: { status: 'in_progress' | 'done' | 'failed'; actor: ActorRef; at: string; error?: DatedProblem };
  /** Set when the drift watch found the live keys no longer work; cleared when they pass again. */
  attention?: DatedProblem;
  /** When a person last changed anything; reminders count idle time from here. */
  lastChangeAt: string;
  remindersSent: number;
  /** Present when the setup was started from Slack. */
  slack?: SlackLinks;
}

/** The state as the query returns it: with what to enter in the Codat Portal. */
export type SetupView = SetupState & { codatPortal: Array<{ field: string; value: string }> };

/** What the notifier activity is told. */
export type Notification =
  | {
      kind: 'reminder';
      setupId: string;
      step: StepId;
      waitingOn: 'operators' | 'approvers';
      /** The request approvers are reminded of; their reminder carries its buttons. */
      requestId?: string;
      idleSince: string;
      reminderNumber: number;
    }
  | { kind: 'approval_requested'; setupId: string; requestId: string; requestedBy: ActorRef; expiresAt: string }
  | { kind: 'approval_expired'; setupId: string; requestId: string; requestedBy: ActorRef; requestedAt: string }
  /** The drift watch found an enabled setup's live keys refused: to its thread and the approvers. */
  | { kind: 'drift_failed'; setupId: string; environment: PlaidEnvironment; problem: Problem }
  /** Sent to the escalation approvers when a request is still undecided after escalateAfterMs. */
  | { kind: 'approval_escalated'; setupId: string; requestId: string; requestedBy: ActorRef; requestedAt: string; expiresAt: string };

/** What a completed workflow returns. */
export interface SetupOutcome {
  setupId: string;
  status: SetupState['status'];
  enabled: boolean;
  version: number;
}
