/** Block Kit builders and modal-submission parsers for the Slack bot: pure, no I/O. */
export type { SetupView } from './summary';
export { STATUS_MARK } from './summary';
export { checklistMessage, evidenceLines, type SlackMessage } from './checklist';
export { actionBlocks, actionButton, buttonLabel } from './buttons';
export { ACTION_BUTTONS } from '../ids';
export {
  approvalDecidedMessage,
  approvalRequestMessage,
  driftMessage,
  escalationMessage,
  expiredMessage,
  notificationMessage,
  reminderMessage,
  type ApprovalEscalatedNotification,
  type ApprovalExpiredNotification,
  type ApprovalRequestedNotification,
  type ReminderNotification,
} from './approval';
export { credentialsModal, productionSecretModal, rejectModal, rotateKindModal, rotateModal, SECRET_HINT, settingsModal } from './modals';
export {
  parseCredentials,
  parseProductionSecret,
  parseReject,
  parseRotate,
  parseRotateKind,
  parseSettings,
  parseViewMetadata,
  type CredentialsSubmission,
  type FieldErrors,
  type ProductionSecretSubmission,
  type RejectSubmission,
  type RotateSubmission,
  type SettingsSubmission,
  type SubmittedInput,
  type SubmittedValues,
  type Submission,
} from './submissions';
export { historyMessage, HISTORY_LATEST } from './history';
export { homeView, type HomeEntry, type HomeUser } from './home';
export { ACTION_HELP, GENERAL_COMMANDS, helpText } from './help';
export { LIMITS } from './text';
