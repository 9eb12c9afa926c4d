/**
 * The requests Slack sends an app, field for field:
 * - slash commands: token, team_id, team_domain, channel_id, channel_name, user_id, user_name,
 *   command, text, api_app_id, is_enterprise_install, response_url and trigger_id
 *   (docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling), as a form
 *   body to a Request URL, or as a JSON object of the same strings in a Socket Mode envelope
 *   (docs.slack.dev/apis/events-api/using-socket-mode, "Slash commands");
 * - interactions: a JSON payload, to a Request URL as the single `payload` field of a form body
 *   (docs.slack.dev/interactivity/handling-user-interaction#payloads): block_actions
 *   (docs.slack.dev/reference/interaction-payloads/block_actions-payload) and view_submission
 *   (docs.slack.dev/reference/interaction-payloads/view-interactions-payload).
 * Field order follows payloads captured from Slack (e.g. the block_actions sample in
 * TotoroSyd/heybot payload.py). Guessed: a click in a modal or Home tab carries its input
 * state in view.state only, and a click on an ephemeral message carries no `message`.
 */
import type { JsonObject } from './json';
import type { EmulatedChannel, EmulatedTeam, EmulatedUser, RawBlockValues, ViewOutput } from './types';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Who acts, and the app they act on. */
export interface Interaction {
  user: EmulatedUser;
  team: EmulatedTeam;
  appId: string;
  verificationToken: string;
  triggerId: string;
}

const userJson = ({ user, team }: Interaction): JsonObject => ({ id: user.id, username: user.name, name: user.name, team_id: team.id });
const teamJson = ({ team }: Interaction): JsonObject => ({ id: team.id, domain: team.domain });

export function slashCommandPayload(i: Interaction, command: { channel: EmulatedChannel; command: string; text: string; responseUrl: string }): Record<string, string> {
  return {
    token: i.verificationToken,
    team_id: i.team.id,
    team_domain: i.team.domain,
    channel_id: command.channel.id,
    channel_name: command.channel.name,
    user_id: i.user.id,
    user_name: i.user.name,
    command: command.command,
    text: command.text,
    api_app_id: i.appId,
    is_enterprise_install: 'false',
    response_url: command.responseUrl,
    trigger_id: i.triggerId,
  };
}

export const formBody = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export function interactionBody(payload: JsonObject): string {
  return new URLSearchParams([['payload', JSON.stringify(payload)]]).toString();
}

export interface ClickedButton {
  block: JsonObject;
  element: JsonObject;
  value: string | undefined;
  actionTs: string;
}

function actionJson({ block, element, value, actionTs }: ClickedButton): JsonObject {
  return {
    action_id: element.action_id,
    block_id: block.block_id,
    text: element.text,
    ...(value !== undefined ? { value } : {}),
    ...(element.style !== undefined ? { style: element.style } : {}),
    type: 'button',
    action_ts: actionTs,
  };
}

export type ClickSource =
  | { kind: 'message'; channel: EmulatedChannel; ts: string; ephemeral: boolean; message?: JsonObject; state: Record<string, RawBlockValues>; responseUrl: string }
  | { kind: 'view'; view: ViewOutput };

export function blockActionsPayload(i: Interaction, source: ClickSource, button: ClickedButton): JsonObject {
  const common = { type: 'block_actions', user: userJson(i), api_app_id: i.appId, token: i.verificationToken };
  const actions = [actionJson(button)];
  if (source.kind === 'view') {
    return {
      ...common,
      container: { type: 'view', view_id: source.view.id },
      trigger_id: i.triggerId,
      team: teamJson(i),
      enterprise: null,
      is_enterprise_install: false,
      view: source.view,
      actions,
    };
  }
  return {
    ...common,
    container: { type: 'message', message_ts: source.ts, channel_id: source.channel.id, is_ephemeral: source.ephemeral },
    trigger_id: i.triggerId,
    team: teamJson(i),
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: source.channel.id, name: source.channel.name },
    ...(source.message ? { message: source.message } : {}),
    state: { values: source.state },
    response_url: source.responseUrl,
    actions,
  };
}

export function viewSubmissionPayload(i: Interaction, view: ViewOutput): JsonObject {
  return {
    type: 'view_submission',
    team: teamJson(i),
    user: userJson(i),
    api_app_id: i.appId,
    token: i.verificationToken,
    trigger_id: i.triggerId,
    view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
