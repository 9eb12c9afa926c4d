/**
 * The Slack bot: `/plaid-setup`, checklist buttons, modals and App Home, on Bolt 5. Each
 * listener lives in listeners/ over one shared context. Every handler acks first (Slack
 * allows 3 s) and then works; every click is checked against the clicker's roles now, and
 * the workflow's validators check again. Secrets typed into modals go straight to the
 * vault; only references leave the bot.
 */
import type { App } from '@slack/bolt';
import { BotContext, type BotDeps } from './context';
import { registerButtons } from './listeners/buttons';
import { registerCommand } from './listeners/command';
import { registerHistoryExport } from './listeners/history-export';
import { registerHome } from './listeners/home';
import { registerSubmissions } from './listeners/submissions';

export type { BotDeps };

/** Registers every listener on `app`. */
export function registerBot(app: App, deps: BotDeps): void {
  const ctx = new BotContext(deps);
  registerCommand(app, ctx);
  registerButtons(app, ctx);
  registerHistoryExport(app, ctx);
  registerSubmissions(app, ctx);
  registerHome(app, ctx);
  app.error(async (error) => {
    // Never the payload: a modal's state holds what the user typed.
    deps.logger.error('Slack handler failed', { error: error.message });
  });
}
