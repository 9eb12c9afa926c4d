/** Every Web API method the emulator answers, by name. */
import { chatMethods } from './chat';
import type { MethodHandler } from './context';
import { conversationMethods } from './conversations';
import { identityMethods } from './identity';
import { viewMethods } from './views';

export type { MethodContext, MethodHandler } from './context';

export const METHODS: Readonly<Record<string, MethodHandler>> = { ...chatMethods, ...viewMethods, ...conversationMethods, ...identityMethods };
