/**
 * A Web API refusal: `{ ok: false, error }` with HTTP 200 (docs.slack.dev/apis/web-api#responses:
 * "the ok property … false, with an error property"), and for schema problems the
 * `response_metadata.messages` lines Slack adds, e.g.
 * "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
 * (format as reported in yonicd/slackreprex#3 and jeremeamia/slack-block-kit#3).
 */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly messages: readonly string[] = [],
  ) {
    super(messages.length > 0 ? `${error}: ${messages.join('; ')}` : error);
    this.name = 'SlackApiError';
  }

  body(): Record<string, unknown> {
    return { ok: false, error: this.error, ...(this.messages.length > 0 ? { response_metadata: { messages: [...this.messages] } } : {}) };
  }
}

/** How a response_url post or an ack fared with Slack. */
export type Outcome = { ok: true } | { ok: false; error: string; messages?: string[] };

/** A refusal as an Outcome; anything but a SlackApiError is a bug and is rethrown. */
export function refusal(error: unknown): Outcome {
  if (!(error instanceof SlackApiError)) throw error;
  return { ok: false, error: error.error, ...(error.messages.length > 0 ? { messages: [...error.messages] } : {}) };
}

/** The line format of response_metadata.messages. */
export const schemaMessage = (text: string, pointer: string): string => `[ERROR] ${text} [json-pointer:${pointer}]`;
