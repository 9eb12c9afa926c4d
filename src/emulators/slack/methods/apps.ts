/**
 * apps.connections.open (docs.slack.dev/reference/methods/apps.connections.open), the one
 * method that takes the app-level token: a WebSocket URL for Socket Mode (socket-mode.ts).
 */
import type { MethodHandler } from './context';

const connectionsOpen: MethodHandler = (_args, { socketMode }) => {
  // Only an emulator with an app token accepts one, so this is reached with a hub.
  if (!socketMode) throw new Error('Slack emulator: apps.connections.open without Socket Mode');
  return { url: socketMode.issueUrl() };
};

export const appMethods: Record<string, MethodHandler> = {
  'apps.connections.open': connectionsOpen,
};
