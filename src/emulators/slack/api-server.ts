/**
 * The Web API's HTTP side (docs.slack.dev/apis/web-api): POST /api/METHOD, every answer JSON
 * with HTTP 200, `{ ok: true, … }` or `{ ok: false, error }`, except a rate-limited call:
 * HTTP 429 with Retry-After (docs.slack.dev/apis/web-api/rate-limits). A method Slack does not
 * have answers unknown_method with req_method; a call without a token not_authed, with another
 * token invalid_auth (the errors every method page lists), with the emulator's other token
 * not_allowed_token_type: the bot token for apps.connections.open, what the app-level token is
 * for (docs.slack.dev/apis/events-api/using-socket-mode), and the app-level token for the rest
 * (the error as Slack's SDK users report it, e.g. slackapi/python-slack-sdk#1239). Injected faults
 * answer before anything else is checked. Guessed: the order of those checks.
 * The same server takes the bytes posted to the upload URLs files.getUploadURLExternal hands
 * out (upload-urls.ts), and its log records those posts with the calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SlackApiError } from './api-error';
import { parseApiRequest, type ApiRequest } from './api-request';
import type { FaultPlan } from './faults';
import { guarded, readBody, sendJson } from './http';
import type { JsonObject } from './json';
import { METHODS, type MethodContext, type TokenKind } from './methods';
import type { RecordedCall } from './types';
import { isUploadRequest, receiveUpload, type UploadDeps } from './upload-urls';

export const API_PATH = '/api/';

/** Every call received, and every post to an upload URL, in arrival order. */
export class CallLog {
  private readonly entries: RecordedCall[] = [];

  get all(): readonly RecordedCall[] {
    return this.entries;
  }

  add(entry: Omit<RecordedCall, 'seq'>): void {
    this.entries.push({ seq: this.entries.length + 1, ...entry });
  }
}

export interface ApiServerDeps {
  botToken: string;
  appToken?: string;
  context: MethodContext;
  faults: FaultPlan;
  log: CallLog;
}

interface Reply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

function tokenKind(deps: ApiServerDeps, token: string): TokenKind | undefined {
  if (token === deps.botToken) return 'bot';
  return deps.appToken !== undefined && token === deps.appToken ? 'app' : undefined;
}

function answer(deps: ApiServerDeps, request: ApiRequest): Reply {
  // An outage as status.slack.com reports them: the API answers 503 whatever the method.
  if (deps.faults.down) return { status: 503, body: { ok: false, error: 'service_unavailable' } };
  const fault = deps.faults.take(request.method);
  if (fault?.error === 'ratelimited') {
    return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'Retry-After': String(fault.retryAfterSeconds) } };
  }
  if (fault) return { status: 200, body: { ok: false, error: fault.error } };
  const method = Object.hasOwn(METHODS, request.method) ? METHODS[request.method] : undefined;
  if (!method) return { status: 200, body: { ok: false, error: 'unknown_method', req_method: request.method } };
  try {
    if (request.problem) throw request.problem;
    if (request.token === undefined) throw new SlackApiError('not_authed');
    const token = tokenKind(deps, request.token);
    if (!token) throw new SlackApiError('invalid_auth');
    if (token !== method.token) throw new SlackApiError('not_allowed_token_type');
    return { status: 200, body: { ok: true, ...method.handler(request.args, deps.context) } };
  } catch (error) {
    if (error instanceof SlackApiError) return { status: 200, body: error.body() };
    // A bug in the emulator: answer as Slack would, and make it visible.
    process.emitWarning(error instanceof Error ? error : String(error), { code: 'SLACK_EMULATOR_BUG' });
    return { status: 200, body: { ok: false, error: 'internal_error' } };
  }
}

async function handle(deps: ApiServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = new Date().toISOString();
  const request = parseApiRequest(req, await readBody(req), API_PATH);
  const reply = answer(deps, request);
  deps.log.add({
    method: request.method,
    at,
    ...(request.token !== undefined ? { token: request.token } : {}),
    args: request.logged,
    ok: reply.body.ok === true,
    ...(typeof reply.body.error === 'string' ? { error: reply.body.error } : {}),
    // A copy: the answer shares objects with the stores.
    response: structuredClone(reply.body),
  });
  sendJson(res, reply.status, reply.body, reply.headers);
}

export function createApiServer(deps: ApiServerDeps): Server {
  const uploads: UploadDeps = { files: deps.context.files, faults: deps.faults, record: (call) => deps.log.add(call) };
  return createServer(guarded((req, res) => (isUploadRequest(req) ? receiveUpload(uploads, req, res) : handle(deps, req, res)), 'SLACK_EMULATOR_BUG'));
}
