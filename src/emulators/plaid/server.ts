/**
 * One flavour's HTTP server: reads each request, records it (never the secret), applies
 * the latency and faults a test arranged (injected, or drawn at a fault rate), and answers
 * JSON with a request_id as Plaid does (every response body carries one: RequestID in the
 * spec, request_id in PlaidError).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBoundedBody } from '../../http/body';
import { errorBody, faultError, internalError, PlaidApiError } from './errors';
import type { FaultPlan } from './faults';
import { newRequestId } from './ids';
import type { ItemStore } from './items';
import type { ClientRegistry } from './registry';
import { resolveEndpoint } from './routes';
import type { PlaidFlavour, RecordedRequest } from './types';
import { isJsonObject, jsonBody, parseJson, sentCredential } from './validation';

/** Every request both servers received, in arrival order. */
export class RequestLog {
  private readonly entries: RecordedRequest[] = [];

  get all(): readonly RecordedRequest[] {
    return this.entries;
  }

  /** A new entry, unanswered until the server fills in status and response. */
  add(entry: Omit<RecordedRequest, 'seq' | 'status' | 'response'>): RecordedRequest {
    const recorded: RecordedRequest = { seq: this.entries.length + 1, ...entry, status: 0, response: undefined };
    this.entries.push(recorded);
    return recorded;
  }
}

export interface ServerDeps {
  registry: ClientRegistry;
  items: ItemStore;
  faults: FaultPlan;
  log: RequestLog;
  /** Aborted by close(): ends latency waits. */
  closing: AbortSignal;
}

interface Answer {
  status: number;
  body: object;
}

const redact = (json: unknown): unknown => (isJsonObject(json) && 'secret' in json ? { ...json, secret: '[redacted]' } : json);

/** Plaid's requests are a few kilobytes; anything near this is a broken client. */
const BODY_LIMITS = { bytes: 1024 * 1024, timeoutMs: 30_000 };

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBoundedBody(req, BODY_LIMITS)).toString('utf8');
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** What the emulated API answers, fault-free. */
function answer(flavour: PlaidFlavour, req: IncomingMessage, path: string, parsed: { json: unknown } | undefined, deps: ServerDeps): Answer {
  const requestId = newRequestId();
  try {
    const endpoint = resolveEndpoint(flavour, req.method ?? '', path);
    const body = jsonBody(req.headers['content-type'], parsed);
    const result = endpoint.answer(flavour, body, req.headers, {
      items: deps.items,
      authenticate: (f, credentials) => deps.registry.authenticate(f, credentials.clientId, credentials.secret),
    });
    return { status: 200, body: { ...result, request_id: requestId } };
  } catch (error) {
    if (error instanceof PlaidApiError) return { status: error.status, body: errorBody(error, requestId) };
    // A bug in the emulator: answer as Plaid would, and make it visible.
    process.emitWarning(error instanceof Error ? error : String(error), { code: 'PLAID_EMULATOR_BUG' });
    return { status: 500, body: errorBody(internalError(), requestId) };
  }
}

async function handle(flavour: PlaidFlavour, deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = new Date().toISOString();
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const parsed = parseJson(await readBody(req));

  const clientId = sentCredential('client_id', req.headers, parsed?.json);
  const secret = sentCredential('secret', req.headers, parsed?.json);
  const secretMatched =
    typeof clientId === 'string' && typeof secret === 'string' ? deps.registry.secretMatches(flavour, clientId, secret) : undefined;
  const record = deps.log.add({
    flavour,
    path,
    at,
    ...(typeof clientId === 'string' ? { clientId } : {}),
    ...(secretMatched !== undefined ? { secretMatched } : {}),
    body: parsed && redact(parsed.json),
  });

  const latency = deps.faults.latency(path, flavour);
  if (latency > 0) await sleep(latency, undefined, { signal: deps.closing });

  const fault = deps.faults.take(path, flavour);
  // Left unanswered: close() ends the connection with the others.
  if (fault?.kind === 'timeout') return;
  if (fault?.kind === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }

  const reply = fault ? { status: fault.status, body: errorBody(faultError(path, fault), newRequestId()) } : answer(flavour, req, path, parsed, deps);
  const text = JSON.stringify(reply.body);
  record.status = reply.status;
  // A copy: the answer shares objects with the Items' state.
  record.response = JSON.parse(text);
  send(res, reply.status, text);
}

export function createFlavourServer(flavour: PlaidFlavour, deps: ServerDeps): Server {
  return createServer((req, res) => {
    handle(flavour, deps, req, res).catch((error: unknown) => {
      // A request cut short (client abort, close() during a latency wait) has nobody to answer; anything else is a bug.
      if (!req.destroyed && !deps.closing.aborted) process.emitWarning(error instanceof Error ? error : String(error), { code: 'PLAID_EMULATOR_BUG' });
      req.socket.destroy();
    });
  });
}
