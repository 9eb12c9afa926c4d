/** The Slack emulator's public types: the workspace it is set up with and what it records. */
import type { ViewOutput, ViewStateValue } from '@slack/bolt';
import type { AnyBlock } from '@slack/types';

export type { ViewOutput, ViewStateValue };

export interface EmulatedUser {
  id: string;
  /** The handle (users.info `name`, slash command `user_name`). */
  name: string;
  realName?: string;
  isBot?: boolean;
}

export interface EmulatedChannel {
  id: string;
  /** Sent as channel_name / channel.name in payloads. */
  name: string;
}

export interface EmulatedTeam {
  id: string;
  name: string;
  /** The workspace's subdomain: auth.test's url and the payloads' team_domain. */
  domain: string;
}

export interface SlackEmulatorOptions {
  /** The token the Web API's methods take (xoxb-…); a token the emulator does not know answers invalid_auth. */
  botToken: string;
  /**
   * The app-level token (xapp-…): turns on Socket Mode. apps.connections.open takes only this
   * token; every other method refuses it with not_allowed_token_type.
   */
  appToken?: string;
  users?: EmulatedUser[];
  /** User group id (S…) → member user ids. */
  usergroups?: Record<string, string[]>;
  /** Channels that exist (C…); a bare id gets a name derived from it. DMs (D…) are created by conversations.open. */
  channels?: (string | EmulatedChannel)[];
  team?: Partial<EmulatedTeam>;
  /** The bot's own user (auth.test user_id / user, the author of what it posts). */
  bot?: { userId?: string; botId?: string; name?: string };
  /** How long an issued trigger_id can be exchanged; Slack's is 3 s. */
  triggerTtlMs?: number;
}

/**
 * A Web API call, or a POST of a file's bytes to its upload URL: `method` is then
 * UPLOAD_URL_CALL and `args` holds `file_id` and the bytes as UTF-8 text in `content` (so that
 * a test scanning the log for leaked secrets sees what was uploaded too).
 */
export interface RecordedCall {
  seq: number;
  method: string;
  /** When the call arrived (ISO 8601). */
  at: string;
  /** The token as sent (Authorization: Bearer, or the form's `token` field). */
  token?: string;
  /** The arguments as received, JSON-encoded ones (blocks, view, files, …) decoded when they parse. */
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** The body answered. */
  response: unknown;
}

/** How a message came to be: every one is the bot's, through the Web API, a response_url or an ack. */
export type MessageOrigin = 'api' | 'response_url' | 'ack';

/** A message in a channel as it stands now. */
export interface EmulatedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: AnyBlock[];
  /** The author: the bot's user id for what the bot posted. */
  user: string;
  /** Present when a bot posted it. */
  botId?: string;
  threadTs?: string;
  /** The files the message shares (files.completeUploadExternal with a channel_id). */
  fileIds?: string[];
  /** How many times it was updated (chat.update, or replace_original through a response_url). */
  updateCount: number;
  origin: MessageOrigin;
}

/** A file whose bytes reached its upload URL (files.getUploadURLExternal, then the POST). */
export interface EmulatedFile {
  id: string;
  filename: string;
  /** The title files.completeUploadExternal gave it; the filename until then, or when it gave none. */
  title: string;
  /** The bytes as last posted to the upload URL. */
  content: Buffer;
  /** Who uploaded it: the bot's user id. */
  uploadedBy: string;
  /** files.completeUploadExternal finished it; an upload never completed is discarded by Slack. */
  completed: boolean;
  /** Where it was shared; absent for a private file (completed without a channel_id). */
  channelId?: string;
  /** The message that shares it. */
  messageTs?: string;
  threadTs?: string;
  initialComment?: string;
  altTxt?: string;
  snippetType?: string;
}

/** A message only `user` sees; Slack keeps no history of these and chat.update cannot reach them. */
export interface EmulatedEphemeral {
  channel: string;
  /** The recipient. */
  user: string;
  ts: string;
  text: string;
  blocks: AnyBlock[];
  threadTs?: string;
  updateCount: number;
  origin: MessageOrigin;
}

export interface EmulatedView {
  id: string;
  type: 'modal' | 'home';
  /** Whose screen it is on. */
  userId: string;
  hash: string;
  callbackId: string;
  privateMetadata: string;
  externalId: string;
  blocks: AnyBlock[];
  rootViewId: string;
  previousViewId: string | null;
  /** How many times it was replaced (views.publish again). */
  updateCount: number;
  /** The field errors the app answered to its last submission (response_action: errors). */
  errors?: Record<string, string>;
  /** The view object as Slack returns it from views.* and sends it in interaction payloads. */
  output: ViewOutput;
}

/** Input values keyed action_id → value object, as Slack sends them in view.state.values. */
export type RawBlockValues = Record<string, ViewStateValue>;
