/**
 * auth.test, users.info and usergroups.users.list, with the response shapes and errors of
 * their reference pages (docs.slack.dev/reference/methods/…): auth.test's bot-token success
 * example; users.info's user object (id, team_id, name, real_name, is_bot, profile.real_name, …)
 * and user_not_found; usergroups.users.list's `users` list and no_such_subteam.
 * Guessed: the user object's time zone and other fields beyond those listed; a missing
 * usergroup argument answers no_such_subteam.
 */
import { SlackApiError } from '../api-error';
import type { EmulatedUser } from '../types';
import { stringArg } from './args';
import type { MethodHandler } from './context';

const authTest: MethodHandler = (_args, { workspace }) => ({
  url: `https://${workspace.team.domain}.slack.com/`,
  team: workspace.team.name,
  user: workspace.bot.name,
  team_id: workspace.team.id,
  user_id: workspace.bot.userId,
  bot_id: workspace.bot.botId,
  is_enterprise_install: false,
});

function userJson(user: EmulatedUser, teamId: string): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  return {
    id: user.id,
    team_id: teamId,
    name: user.name,
    deleted: false,
    real_name: realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    profile: {
      real_name: realName,
      display_name: user.name,
      real_name_normalized: realName,
      display_name_normalized: user.name,
      team: teamId,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot === true,
    is_app_user: false,
    updated: 1502138686,
  };
}

const usersInfo: MethodHandler = (args, { workspace }) => {
  const id = stringArg(args, 'user');
  const user = id === undefined ? undefined : workspace.user(id);
  if (!user) throw new SlackApiError('user_not_found');
  return { user: userJson(user, workspace.team.id) };
};

const usergroupUsers: MethodHandler = (args, { workspace }) => {
  const id = stringArg(args, 'usergroup');
  const users = id === undefined ? undefined : workspace.usergroup(id);
  if (!users) throw new SlackApiError('no_such_subteam');
  return { users };
};

export const identityMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
};
