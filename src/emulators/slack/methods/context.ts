/** What a Web API method works with, and its shape: arguments in, the success body (without ok) out. */
import type { JsonObject } from '../json';
import type { MessageStore } from '../messages';
import type { TriggerRegistry } from '../triggers';
import type { ViewStore } from '../views';
import type { Workspace } from '../workspace';

export interface MethodContext {
  workspace: Workspace;
  messages: MessageStore;
  views: ViewStore;
  triggers: TriggerRegistry;
}

/** Throws SlackApiError for a refusal. */
export type MethodHandler = (args: JsonObject, context: MethodContext) => JsonObject;
