/**
 * Reads a Web API call as Slack does (docs.slack.dev/apis/web-api#basics and #posting_json):
 * POST https://slack.com/api/METHOD with form-encoded arguments (what WebClient sends, nested
 * values JSON-encoded: @slack/web-api WebClient.serializeBody) or a JSON object body; GET query
 * arguments are read too. The token comes from `Authorization: Bearer …` or, for form and
 * query arguments only, a `token` argument: Slack ignores a token inside a JSON body.
 * Body refusals use Slack's common errors invalid_json, json_not_object and invalid_form_data
 * (listed on every method's reference page); which wins when several apply is a guess.
 */
import type { IncomingMessage } from 'node:http';
import { SlackApiError } from './api-error';
import { isJsonObject, type JsonObject } from './json';

export interface ApiRequest {
  method: string;
  token?: string;
  args: JsonObject;
  /** The arguments for the call log: no token, JSON-encoded ones decoded. */
  logged: JsonObject;
  /** Why the body cannot be read at all. */
  problem?: SlackApiError;
}

/** Arguments WebClient JSON-encodes in a form body. */
const JSON_ARGUMENTS = ['blocks', 'view', 'attachments', 'metadata', 'files'];

const formArgs = (text: string): JsonObject => Object.fromEntries(new URLSearchParams(text));

export function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function logged(args: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(args)) {
    if (JSON_ARGUMENTS.includes(key) && typeof value === 'string') {
      try {
        out[key] = JSON.parse(value) as unknown;
        continue;
      } catch {
        // Logged as sent: the method answers for it.
      }
    }
    out[key] = value;
  }
  return out;
}

export function parseApiRequest(req: IncomingMessage, body: string, apiPath: string): ApiRequest {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = url.pathname.startsWith(apiPath) ? url.pathname.slice(apiPath.length) : '';
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const query = Object.fromEntries(url.searchParams);
  let args: JsonObject = query;
  let problem: SlackApiError | undefined;
  let bodyToken: unknown = query.token;

  if (contentType === 'application/json') {
    try {
      const json = JSON.parse(body) as unknown;
      if (isJsonObject(json)) args = { ...query, ...json, token: query.token };
      else problem = new SlackApiError('json_not_object');
    } catch {
      problem = new SlackApiError('invalid_json');
    }
  } else if (contentType === '' || contentType === 'application/x-www-form-urlencoded') {
    const form = formArgs(body);
    args = { ...query, ...form };
    bodyToken = form.token ?? query.token;
  } else if (body.length > 0) {
    problem = new SlackApiError('invalid_form_data');
  }

  const token = bearer(req.headers.authorization) ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
  const rest = { ...args };
  delete rest.token;
  return { method, ...(token !== undefined ? { token } : {}), args: rest, logged: logged(rest), ...(problem ? { problem } : {}) };
}
