/** What a Web API method works with, and its shape: arguments in, the success body (without ok) out. */
import type { FileStore } from '../files';
import type { JsonObject } from '../json';
import type { MessageStore } from '../messages';
import type { SocketModeHub } from '../socket-mode';
import type { TriggerRegistry } from '../triggers';
import type { ViewStore } from '../views';
import type { Workspace } from '../workspace';

export interface MethodContext {
  workspace: Workspace;
  messages: MessageStore;
  views: ViewStore;
  triggers: TriggerRegistry;
  files: FileStore;
  /** Present when the emulator has an app-level token. */
  socketMode?: SocketModeHub;
}

/** Throws SlackApiError for a refusal. */
export type MethodHandler = (args: JsonObject, context: MethodContext) => JsonObject;

/** The token a method takes: the bot's (xoxb-…) or the app-level one (xapp-…). */
export type TokenKind = 'bot' | 'app';
