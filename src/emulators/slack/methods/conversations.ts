/**
 * conversations.open (docs.slack.dev/reference/methods/conversations.open): `channel.id` of the
 * DM with the users, the same one each time, with `no_op` and `already_open` once it exists
 * (the return_im example); users_list_not_supplied, user_not_found, too_many_users (more
 * than 8) and channel_not_found for an unknown `channel` to resume.
 * Guessed: the fields return_im adds beyond is_im, user and is_open.
 */
import { SlackApiError } from '../api-error';
import { boolArg, listArg, stringArg } from './args';
import type { MethodHandler } from './context';

const MAX_DM_USERS = 8;

const conversationsOpen: MethodHandler = (args, { workspace }) => {
  const resume = stringArg(args, 'channel');
  if (resume !== undefined) {
    const kind = workspace.conversation(resume)?.kind;
    if (kind !== 'im' && kind !== 'mpim') throw new SlackApiError('channel_not_found');
    return { no_op: true, already_open: true, channel: { id: resume } };
  }
  const users = listArg(args, 'users');
  if (users.length === 0) throw new SlackApiError('users_list_not_supplied');
  if (users.length > MAX_DM_USERS) throw new SlackApiError('too_many_users');
  if (users.some((id) => !workspace.user(id))) throw new SlackApiError('user_not_found');
  const { id, created } = workspace.openDm(users);
  const channel = boolArg(args, 'return_im') ? { id, is_im: users.length === 1, user: users[0], is_open: true } : { id };
  return created ? { channel } : { no_op: true, already_open: true, channel };
};

export const conversationMethods: Record<string, MethodHandler> = {
  'conversations.open': conversationsOpen,
};
