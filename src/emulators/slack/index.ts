/** The Slack emulator (Web API, Socket Mode) and drivers (Slack's requests to the bot, over HTTP or Socket Mode): what the tests and the bench use. */
export { SlackEmulator } from './emulator';
export { SlackDriver, type SentRequest } from './driver';
export type { InteractionDriver } from './interactions';
export { SocketModeDriver } from './socket-driver';
export { RESPONSE_URL_MAX_USES } from './response-urls';
export { slackSignature } from './signing';
export { UPLOAD_URL_CALL } from './upload-urls';
export type { EmulatedMessage, EmulatedUser, SlackEmulatorOptions, ViewOutput } from './types';
