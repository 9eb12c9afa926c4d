/** The Slack emulator (Web API) and driver (Slack's requests to the bot): public API. */
export { SlackEmulator } from './emulator';
export { DEFAULT_COMMAND, SlackDriver, type Delivery, type SlackDriverOptions } from './driver';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, type ResponseUrlPost } from './response-urls';
export { slackSignature } from './signing';
export { SLACK_TRIGGER_TTL_MS } from './triggers';
export type { SubmittedValue } from './view-state';
export type {
  EmulatedChannel,
  EmulatedEphemeral,
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
