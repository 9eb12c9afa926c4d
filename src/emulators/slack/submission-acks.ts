/**
 * What Slack does with the app's ack to a view_submission (docs.slack.dev/surfaces/modals#displaying_errors
 * and #close): no response_action closes the submitted view; "errors" keeps it open showing the
 * field errors keyed by block_id. An ack that is not HTTP 200 leaves the modal open (Slack shows
 * the user a connection error). The bot answers only these; Slack's "update", "push" and "clear"
 * are not emulated and fail the test that meets them rather than pass unmodelled.
 * Guessed: the name of the refusal of an unknown response_action (invalid_response_action).
 */
import type { Outcome } from './api-error';
import { isJsonObject, type JsonObject } from './json';
import type { ViewStore } from './views';

const NOT_EMULATED = new Set(['update', 'push', 'clear']);

function apply(views: ViewStore, viewId: string, ack: JsonObject): Outcome {
  const action = ack.response_action;
  if (action === undefined) {
    views.close(viewId);
  } else if (action === 'errors') {
    const errors = isJsonObject(ack.errors) ? ack.errors : {};
    views.setErrors(viewId, Object.fromEntries(Object.entries(errors).map(([block, message]) => [block, String(message)])));
  } else if (typeof action === 'string' && NOT_EMULATED.has(action)) {
    throw new Error(`Slack emulator: response_action "${action}" is not emulated (the bot does not send it)`);
  } else {
    return { ok: false, error: 'invalid_response_action' };
  }
  return { ok: true };
}

export function applySubmissionAck(views: ViewStore, viewId: string, status: number, ack: unknown): Outcome {
  if (!views.find(viewId) || status !== 200) return { ok: true };
  return apply(views, viewId, isJsonObject(ack) ? ack : {});
}
