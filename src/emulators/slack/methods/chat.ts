/**
 * chat.postMessage, chat.update and chat.postEphemeral, the chat methods the bot calls, with the
 * errors their reference pages document (docs.slack.dev/reference/methods/chat.*):
 * channel_not_found, no_text, invalid_blocks (with the schema lines), invalid_blocks_format
 * (blocks that are not a JSON array), message_not_found, user_not_in_channel, msg_too_long
 * (chat.update: over 4,000 characters).
 * chat.postMessage truncates text past 40,000 characters with the message_truncated warning.
 * chat.update keeps the previous blocks when none are sent ("If you don't include this field,
 * the message's previous blocks will be retained"). Every stored message is the bot's (nobody
 * else posts here), so Slack's refusal to update another's message never applies.
 * Guessed: a missing ts answers message_not_found; chat.postEphemeral refuses text past 40,000
 * characters with msg_too_long; ephemeral recipients of a regular channel are not checked
 * against its members (the emulator keeps none), only those of a DM.
 */
import { SlackApiError } from '../api-error';
import { messageBlockProblems, withGeneratedIds } from '../block-kit';
import type { JsonObject } from '../json';
import { messageJson, type MessageRef } from '../messages';
import { jsonArg, stringArg } from './args';
import type { MethodContext, MethodHandler } from './context';

const POST_TEXT_LIMIT = 40_000;
const UPDATE_TEXT_LIMIT = 4_000;

/** The blocks argument validated, ids filled in; undefined when not sent. */
export function blocksArg(args: JsonObject): JsonObject[] | undefined {
  const blocks = jsonArg(args, 'blocks', () => new SlackApiError('invalid_blocks_format'));
  if (blocks === undefined || blocks === null) return undefined;
  if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  const problems = messageBlockProblems(blocks);
  if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
  return withGeneratedIds(blocks as JsonObject[]);
}

interface Content {
  text: string | undefined;
  blocks: JsonObject[] | undefined;
}

function contentArgs(args: JsonObject): Content {
  const content = { text: stringArg(args, 'text'), blocks: blocksArg(args) };
  // Attachments are accepted as content, not kept: the bot does not send them.
  if (content.text === undefined && !content.blocks?.length && args.attachments === undefined) throw new SlackApiError('no_text');
  return content;
}

/** A conversation the channel argument names exactly (chat.update takes no user ids). */
function existingChannel(args: JsonObject, { workspace }: MethodContext): string {
  const channel = stringArg(args, 'channel');
  if (channel === undefined || !workspace.conversation(channel)) throw new SlackApiError('channel_not_found');
  return channel;
}

function postTarget(args: JsonObject, { workspace }: MethodContext): string {
  const channel = stringArg(args, 'channel');
  const resolved = channel === undefined ? undefined : workspace.resolveChannel(channel);
  if (resolved === undefined) throw new SlackApiError('channel_not_found');
  return resolved;
}

function storedMessage(args: JsonObject, context: MethodContext): MessageRef {
  const channel = existingChannel(args, context);
  const ts = stringArg(args, 'ts');
  const message = ts === undefined ? undefined : context.messages.find(channel, ts);
  if (!message) throw new SlackApiError('message_not_found');
  return message;
}

const postMessage: MethodHandler = (args, context) => {
  const { workspace, messages } = context;
  const channel = postTarget(args, context);
  const content = contentArgs(args);
  const text = content.text ?? '';
  const truncated = text.length > POST_TEXT_LIMIT;
  const threadTs = stringArg(args, 'thread_ts');
  const message = messages.post({
    channel,
    user: workspace.bot.userId,
    bot: { botId: workspace.bot.botId, appId: workspace.bot.appId },
    text: truncated ? text.slice(0, POST_TEXT_LIMIT) : text,
    blocks: content.blocks ?? [],
    ...(threadTs !== undefined ? { threadTs } : {}),
    origin: 'api',
  });
  return {
    channel,
    ts: message.ts,
    message: messageJson(message, workspace.team.id),
    ...(truncated ? { warning: 'message_truncated', response_metadata: { warnings: ['message_truncated'] } } : {}),
  };
};

const update: MethodHandler = (args, context) => {
  const message = storedMessage(args, context);
  const content = contentArgs(args);
  const text = content.text ?? '';
  if (text.length > UPDATE_TEXT_LIMIT) throw new SlackApiError('msg_too_long');
  const updated = context.messages.replace(message, { text, blocks: content.blocks ?? message.blocks });
  return { channel: updated.channel, ts: updated.ts, text: updated.text, message: messageJson(updated, context.workspace.team.id) };
};

const postEphemeral: MethodHandler = (args, context) => {
  const { workspace, messages } = context;
  const channel = postTarget(args, context);
  const user = stringArg(args, 'user');
  const conversation = workspace.conversation(channel);
  const isMember = conversation?.kind === 'channel' || (user !== undefined && conversation?.members.includes(user) === true);
  if (user === undefined || !workspace.user(user) || !isMember) throw new SlackApiError('user_not_in_channel');
  const content = contentArgs(args);
  const text = content.text ?? '';
  if (text.length > POST_TEXT_LIMIT) throw new SlackApiError('msg_too_long');
  const threadTs = stringArg(args, 'thread_ts');
  const message = messages.postEphemeral({
    channel,
    user,
    text,
    blocks: content.blocks ?? [],
    ...(threadTs !== undefined ? { threadTs } : {}),
    origin: 'api',
  });
  return { message_ts: message.ts };
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
};
