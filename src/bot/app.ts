/**
 * The Slack bot: `/plaid-setup`, checklist buttons, modals and App Home, on Bolt 5. Each
 * listener lives in listeners/ over one shared context. Every handler acks first (Slack
 * allows 3 s) and then works; every click is checked against the clicker's roles now, and
 * the workflow's validators check again. Secrets go straight to the vault, from the
 * one-time form (secret-form/) or, when so configured, from modals; only references
 * leave the bot.
 */
import type { App } from '@slack/bolt';
import { BotContext, type BotDeps } from './context';
import { registerButtons } from './listeners/buttons';
import { registerCommand } from './listeners/command';
import { registerHistoryExport } from './listeners/history-export';
import { registerHome } from './listeners/home';
import { registerSubmissions } from './listeners/submissions';

export type { BotDeps };

/** Registers every listener on `app`; the context they share serves the secret form too. */
export function registerBot(app: App, deps: BotDeps): BotContext {
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
  return ctx;
}
