/**
 * What Slack does with the app's ack to a view_submission (docs.slack.dev/surfaces/modals#updating_response,
 * #displaying_errors and #close): no response_action closes the submitted view (and any pushed
 * on it); "errors" keeps it open showing the field errors keyed by block_id; "update" replaces
 * it and "push" stacks a new view on it, each view checked as views.update/views.push check
 * theirs; "clear" closes every view in the stack. An ack that is not HTTP 200 leaves the modal
 * open (Slack shows the user a connection error).
 * Guessed: that an invalid view in an update or push ack leaves the modal as it was, and the
 * name of the refusal of an unknown response_action (invalid_response_action).
 */
import { refusal, type Outcome } from './api-error';
import { isJsonObject, type JsonObject } from './json';
import { viewArg } from './methods/views';
import type { ViewStore } from './views';

function apply(views: ViewStore, viewId: string, userId: string, ack: JsonObject): Outcome {
  switch (ack.response_action) {
    case undefined:
      views.close(viewId);
      break;
    case 'errors': {
      const errors = isJsonObject(ack.errors) ? ack.errors : {};
      views.setErrors(viewId, Object.fromEntries(Object.entries(errors).map(([block, message]) => [block, String(message)])));
      break;
    }
    case 'clear':
      views.clear(userId);
      break;
    case 'update':
      views.update({ viewId }, viewArg({ view: ack.view }, 'modal'));
      break;
    case 'push':
      views.push(userId, viewArg({ view: ack.view }, 'modal'));
      break;
    default:
      return { ok: false, error: 'invalid_response_action' };
  }
  return { ok: true };
}

export function applySubmissionAck(views: ViewStore, viewId: string, status: number, ack: unknown): Outcome {
  const view = views.find(viewId);
  if (!view || status !== 200) return { ok: true };
  try {
    return apply(views, viewId, view.userId, isJsonObject(ack) ? ack : {});
  } catch (error) {
    return refusal(error);
  }
}
