/**
 * files.getUploadURLExternal and files.completeUploadExternal (docs.slack.dev/reference/methods/files.*),
 * the two calls WebClient.filesUploadV2 makes around its post of the bytes (upload-urls.ts):
 * - files.getUploadURLExternal takes filename and length, and optionally alt_txt and
 *   snippet_type; it answers upload_url and file_id. A missing filename or length, or a length
 *   that is not a whole number, answers invalid_arguments with a schema line ("missing required
 *   field: filename", the wording Slack answers with as reported in Octember/earshot#10); a length
 *   of 0 answers missing_argument (documented: "Typically only occurs when the `length` provided
 *   is 0"); alt_txt past 1,000 characters alt_txt_too_large.
 * - files.completeUploadExternal takes files (a JSON array of `{ id, title? }`) and optionally
 *   channel_id, initial_comment, thread_ts and blocks ("If the initial_comment field is
 *   provided, the blocks field is ignored"); it answers the file objects. A file whose bytes
 *   never arrived, or one already completed ("This method can only be called once"), answers
 *   file_not_found ("Could not find the file from the upload ticket"); an unknown channel_id
 *   channel_not_found ("Value passed for channel_id was invalid"). With a channel, the bot posts
 *   one message sharing all the files, its text the initial comment, in thread_ts's thread.
 * WebClient 8 sends alt_text where the docs say alt_txt: both are read.
 * Guessed: the order of the checks; the schema lines for a files list that is not a non-empty
 * JSON array of objects with an id; an id listed twice counts once; a title left out or empty is
 * the filename; thread_ts without a channel is ignored; the deprecated `channels` argument (one
 * message per channel) is not emulated.
 */
import { z } from 'zod';
import { SlackApiError, schemaMessage } from '../api-error';
import { fileJson } from '../files';
import type { JsonObject } from '../json';
import { jsonArg, stringArg } from './args';
import { blocksArg } from './chat';
import type { MethodHandler } from './context';

const ALT_TXT_LIMIT = 1000;

const invalid = (text: string, pointer = ''): SlackApiError => new SlackApiError('invalid_arguments', [schemaMessage(text, pointer)]);

function required(args: JsonObject, name: string): string {
  const value = stringArg(args, name);
  if (value === undefined) throw invalid(`missing required field: ${name}`);
  return value;
}

const getUploadUrl: MethodHandler = (args, { workspace, files }) => {
  const filename = required(args, 'filename');
  const length = required(args, 'length');
  // Form values are strings: "12" is a length, "12.5", "-1" and "twelve" are not.
  if (!/^\d+$/.test(length)) throw invalid('must be an integer', '/length');
  if (Number(length) === 0) throw new SlackApiError('missing_argument');
  const altTxt = stringArg(args, 'alt_txt') ?? stringArg(args, 'alt_text');
  if (altTxt !== undefined && altTxt.length > ALT_TXT_LIMIT) throw new SlackApiError('alt_txt_too_large');
  const snippetType = stringArg(args, 'snippet_type');
  const { id, uploadUrl } = files.reserve({
    filename,
    length: Number(length),
    uploadedBy: workspace.bot.userId,
    ...(altTxt !== undefined ? { altTxt } : {}),
    ...(snippetType !== undefined ? { snippetType } : {}),
  });
  return { upload_url: uploadUrl, file_id: id };
};

/** Other keys (highlight_type, which WebClient sends) are accepted and dropped. */
const FILE_LIST = z.array(z.object({ id: z.string().min(1), title: z.string().optional() })).min(1);

type ListedFile = z.infer<typeof FILE_LIST>[number];

const article = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** A zod issue as one of Slack's schema lines, pointing into the files argument. */
function schemaLine(issue: z.core.$ZodIssue): string {
  const at = (path: readonly PropertyKey[]): string => ['/files', ...path.map(String)].join('/');
  if (issue.code === 'invalid_type') {
    // Parsed with reportInput; JSON has no undefined, so an undefined input is a field left out.
    if (issue.input === undefined) return schemaMessage(`missing required field: ${String(issue.path.at(-1))}`, at(issue.path.slice(0, -1)));
    return schemaMessage(`must be ${article(issue.expected)}`, at(issue.path));
  }
  if (issue.code === 'too_small') return schemaMessage(issue.origin === 'array' ? 'must contain at least 1 item' : 'must not be empty', at(issue.path));
  return schemaMessage(issue.message, at(issue.path));
}

function fileList(args: JsonObject): ListedFile[] {
  if (args.files === undefined || args.files === null || args.files === '') throw invalid('missing required field: files');
  const sent = jsonArg(args, 'files', () => invalid('must be valid JSON', '/files'));
  const parsed = FILE_LIST.safeParse(sent, { reportInput: true });
  if (!parsed.success) throw new SlackApiError('invalid_arguments', parsed.error.issues.map(schemaLine));
  return [...new Map(parsed.data.map((item) => [item.id, item])).values()];
}

const completeUpload: MethodHandler = (args, { workspace, files, messages }) => {
  const listed = fileList(args);
  const channelId = stringArg(args, 'channel_id');
  const channel = channelId === undefined ? undefined : workspace.conversation(channelId);
  if (channelId !== undefined && !channel) throw new SlackApiError('channel_not_found');
  const ready = listed.map((item) => {
    const file = files.completable(item.id);
    if (!file) throw new SlackApiError('file_not_found');
    return { file, title: item.title || file.filename };
  });
  const initialComment = stringArg(args, 'initial_comment');
  const blocks = initialComment === undefined ? blocksArg(args) : undefined;

  // Every check is done: nothing is completed by a call that is refused.
  const completed = ready.map(({ file, title }) => files.complete(file, { title, ...(initialComment !== undefined ? { initialComment } : {}) }));
  if (channel) {
    const threadTs = stringArg(args, 'thread_ts');
    const message = messages.post({
      channel: channel.id,
      user: workspace.bot.userId,
      bot: { botId: workspace.bot.botId, appId: workspace.bot.appId },
      text: initialComment ?? '',
      blocks: blocks ?? [],
      ...(threadTs !== undefined ? { threadTs } : {}),
      // As they stand before the share is recorded: the share names this message's ts.
      files: completed.map((file) => fileJson(file, workspace.team)),
      origin: 'api',
    });
    for (const file of completed) {
      files.share(file, { channel: channel.id, channelName: channel.name, kind: channel.kind, ts: message.ts, ...(threadTs !== undefined ? { threadTs } : {}) });
    }
  }
  return { files: completed.map((file) => fileJson(file, workspace.team)) };
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
