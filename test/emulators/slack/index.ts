/** The Slack emulator (Web API, Socket Mode) and drivers (Slack's requests to the bot, over HTTP or Socket Mode): public API. */
export { SlackEmulator } from './emulator';
export { SlackDriver, type SlackDriverOptions } from './driver';
export { DEFAULT_COMMAND, InteractionDriver, type Delivery, type DriverOptions } from './interactions';
export { SLACK_ACK_TIMEOUT_MS, SocketModeDriver, type SocketModeDriverOptions } from './socket-driver';
export type { DisconnectReason } from './socket-mode';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, type ResponseUrlPost } from './response-urls';
export { slackSignature } from './signing';
export { SLACK_TRIGGER_TTL_MS } from './triggers';
export { UPLOAD_URL_CALL } from './upload-urls';
export type { SubmittedValue } from './view-state';
export type {
  EmulatedChannel,
  EmulatedEphemeral,
  EmulatedFile,
  EmulatedMessage,
  EmulatedTeam,
  EmulatedUser,
  EmulatedView,
  MessageOrigin,
  RawBlockValues,
  RecordedCall,
  SlackEmulatorOptions,
  ViewOutput,
  ViewStateValue,
} from './types';
