/**
 * What Slack does with a message response: a JSON body the app posts to a response_url, or
 * the body of its ack to a slash command (docs.slack.dev/interactivity/handling-user-interaction#message_responses
 * and docs.slack.dev/interactivity/implementing-slash-commands#responding_immediate_response):
 * - `response_type: "in_channel"` posts a message everyone sees; the default, "ephemeral",
 *   shows it to the user who acted only;
 * - `replace_original: true` replaces the message the interaction came from, ephemeral or not,
 *   and `delete_original: true` deletes it (docs.slack.dev/messaging/modifying-messages#response_url);
 * - a plain-text ack body is shown as that text; a message needs text or blocks, and its
 *   blocks obey the same limits as chat.postMessage's.
 * Guessed: the error names a response_url answers (no_text, invalid_blocks, invalid_payload);
 * that a response to a button click without replace_original posts a new message rather than
 * replacing the clicked one; that replace_original without an original (a slash command) posts
 * a new response; and that replace_original replaces the blocks too when none are sent.
 */
import { refusal, SlackApiError, type Outcome } from './api-error';
import { isJsonObject, type JsonObject } from './json';
import type { MessageStore } from './messages';
import { blocksArg } from './methods/chat';
import type { Workspace } from './workspace';

/** Where a message response lands. */
export interface ResponseTarget {
  channel: string;
  /** Who acted: ephemeral responses are theirs. */
  userId: string;
  /** The message acted on; absent for slash commands. */
  source?: { ts: string; ephemeral: boolean };
}

export interface ResponseDeps {
  workspace: Workspace;
  messages: MessageStore;
}

const flag = (value: unknown): boolean => value === true || value === 'true';

function apply(body: JsonObject, target: ResponseTarget, origin: 'response_url' | 'ack', { workspace, messages }: ResponseDeps): void {
  const source = target.source;
  const original = source && !source.ephemeral ? messages.find(target.channel, source.ts) : undefined;
  const originalEphemeral = source?.ephemeral ? messages.findEphemeral(target.channel, source.ts) : undefined;

  if (flag(body.delete_original)) {
    if (original) messages.remove(original);
    if (originalEphemeral) messages.removeEphemeral(originalEphemeral);
    return;
  }
  const blocks = blocksArg(body);
  const text = typeof body.text === 'string' ? body.text : undefined;
  if (text === undefined && !blocks?.length) throw new SlackApiError('no_text');
  const content = { text: text ?? '', blocks: blocks ?? [] };

  if (flag(body.replace_original) && (original || originalEphemeral)) {
    if (original) messages.replace(original, content);
    if (originalEphemeral) messages.replaceEphemeral(originalEphemeral, content);
    return;
  }
  const threadTs = typeof body.thread_ts === 'string' ? { threadTs: body.thread_ts } : {};
  if (body.response_type === 'in_channel') {
    const bot = workspace.bot;
    messages.post({ channel: target.channel, user: bot.userId, bot: { botId: bot.botId, appId: bot.appId }, ...content, ...threadTs, origin });
  } else {
    messages.postEphemeral({ channel: target.channel, user: target.userId, ...content, ...threadTs, origin });
  }
}

export function applyMessageResponse(body: unknown, target: ResponseTarget, origin: 'response_url' | 'ack', deps: ResponseDeps): Outcome {
  if (!isJsonObject(body)) return { ok: false, error: 'invalid_payload' };
  try {
    apply(body, target, origin, deps);
    return { ok: true };
  } catch (error) {
    return refusal(error);
  }
}
