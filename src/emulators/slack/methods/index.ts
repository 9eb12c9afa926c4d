/** Every Web API method the emulator answers, by name, with the token each takes. */
import { appMethods } from './apps';
import { chatMethods } from './chat';
import type { MethodHandler, TokenKind } from './context';
import { conversationMethods } from './conversations';
import { fileMethods } from './files';
import { identityMethods } from './identity';
import { viewMethods } from './views';

export type { MethodContext, MethodHandler, TokenKind } from './context';

export interface Method {
  handler: MethodHandler;
  token: TokenKind;
}

const taking = (token: TokenKind, handlers: Record<string, MethodHandler>): Record<string, Method> =>
  Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, { handler, token }]));

export const METHODS: Readonly<Record<string, Method>> = {
  ...taking('bot', { ...chatMethods, ...viewMethods, ...conversationMethods, ...identityMethods, ...fileMethods }),
  ...taking('app', appMethods),
};
