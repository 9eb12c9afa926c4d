/**
 * The Slack app manifest creates the app the code expects: the slash command, the scopes
 * the bot's Web API calls need, interactivity, App Home and Socket Mode.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SLASH_COMMAND } from '../src/slack/ids';
import { EVENTS_PATH } from '../src/bot/server';

const manifest = parse(readFileSync(path.join(__dirname, '..', 'slack', 'manifest.yml'), 'utf8')) as {
  features: { app_home: Record<string, boolean>; slash_commands: Array<{ command: string; url: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { is_enabled: boolean; request_url: string }; event_subscriptions: { bot_events: string[]; request_url: string } };
};

test('the manifest declares what the bot uses', () => {
  expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
  // chat.postMessage/update/postEphemeral, conversations.open, usergroups.users.list, users.info, files.* (history exports).
  expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'im:write', 'usergroups:read', 'users:read', 'files:write']));
  expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  expect(manifest.settings.socket_mode_enabled).toBe(true);
  for (const url of [manifest.features.slash_commands[0]!.url, manifest.settings.interactivity.request_url, manifest.settings.event_subscriptions.request_url]) {
    expect(url.endsWith(EVENTS_PATH)).toBe(true);
  }
});
