/**
 * views.open and views.publish, the views methods the bot calls (docs.slack.dev/reference/methods/views.*):
 * a trigger_id is exchanged once within its lifetime (triggers.ts); a view over 250 kB answers
 * view_too_large; a view that breaks its schema answers invalid_arguments with the schema lines
 * (views.push's documented error response: "invalid_arguments" with messages such as
 * "missing required field: title"); views.publish names an unknown user with
 * "invalid `user_id`" and views.open a missing trigger with "invalid `trigger_id`" (their
 * documented error examples). hash_conflict comes from views.ts.
 * Guessed: the view is checked before the trigger is used up (a refused view leaves the trigger
 * usable); a view that is not JSON answers invalid_arguments.
 */
import { SlackApiError, schemaMessage } from '../api-error';
import { viewProblems } from '../block-kit';
import type { JsonObject } from '../json';
import { jsonArg, stringArg } from './args';
import type { MethodContext, MethodHandler } from './context';

const MAX_VIEW_BYTES = 250 * 1024;

function viewArg(args: JsonObject, type: 'modal' | 'home'): JsonObject {
  const view = jsonArg(args, 'view', () => new SlackApiError('invalid_arguments', [schemaMessage('must be valid JSON', '/view')]));
  if (view === undefined || view === null) throw new SlackApiError('invalid_arguments', [schemaMessage('missing required field: view', '')]);
  if (Buffer.byteLength(JSON.stringify(view)) > MAX_VIEW_BYTES) throw new SlackApiError('view_too_large');
  const problems = viewProblems(view);
  if (problems.length > 0) throw new SlackApiError('invalid_arguments', problems);
  const checked = view as JsonObject;
  if (checked.type !== type) throw new SlackApiError('invalid_arguments', [schemaMessage(`must be ${type}`, '/view/type')]);
  return checked;
}

/** Checks the view, then exchanges the trigger for the user it was issued to. */
function triggered(args: JsonObject, { triggers }: MethodContext): { userId: string; view: JsonObject } {
  const view = viewArg(args, 'modal');
  const trigger = stringArg(args, 'trigger_id') ?? stringArg(args, 'interactivity_pointer');
  if (trigger === undefined) throw new SlackApiError('invalid_arguments', ['invalid `trigger_id`']);
  return { userId: triggers.exchange(trigger), view };
}

const open: MethodHandler = (args, context) => {
  const { userId, view } = triggered(args, context);
  return { view: context.views.output(context.views.open(userId, view)) };
};

const publish: MethodHandler = (args, { workspace, views }) => {
  const userId = stringArg(args, 'user_id');
  if (userId === undefined || !workspace.user(userId)) throw new SlackApiError('invalid_arguments', ['invalid `user_id`']);
  const hash = stringArg(args, 'hash');
  return { view: views.output(views.publish(userId, viewArg(args, 'home'), hash)) };
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.publish': publish,
};
