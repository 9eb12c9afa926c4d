/** Why the checklist refuses an action: a stable code, and one sentence a person can act on. */
export const REJECTION_CODES = {
  INVALID_INPUT: 'INVALID_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  STALE_REQUEST: 'STALE_REQUEST',
  SELF_APPROVAL: 'SELF_APPROVAL',
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  ALREADY_DONE: 'ALREADY_DONE',
  BUSY: 'BUSY',
  CLOSED: 'CLOSED',
  NOT_ALLOWED_NOW: 'NOT_ALLOWED_NOW',
} as const;
export type RejectionCode = (typeof REJECTION_CODES)[keyof typeof REJECTION_CODES];

/** An action the checklist refuses. The message is one sentence a person can act on. */
export class ActionRejected extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRejected';
  }
}
