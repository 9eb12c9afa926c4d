/**
 * The upload URLs files.getUploadURLExternal hands out (files.ts), on the Web API's port:
 * "Upload a file by making a POST request to the upload URL … Files can be sent as raw bytes or
 * can be multipart form encoded. Slack will return HTTP 200 if the upload is successful; a
 * non-200 response indicates a failure" (docs.slack.dev/reference/methods/files.getUploadURLExternal).
 * WebClient.filesUploadV2 posts multipart/form-data whose file part is named `body`
 * (@slack/web-api WebClient.postFileUploadsToExternalURL through serializeBody); the docs' curl
 * example (`-F filename="@text.txt"`) names it `filename`, so the first file part is taken
 * whatever its name. Any other body is the raw bytes. Success answers 200 with "OK - <bytes received>" in
 * plain text, the body files.slack.com answers with.
 * Every post is recorded in the call log under UPLOAD_URL_CALL with the bytes as UTF-8 text
 * (ASCII survives even in binary content), so a test scanning the log for leaked secrets sees
 * what the app uploaded. Faults injected for UPLOAD_URL_CALL answer first: "ratelimited" with
 * HTTP 429 and Retry-After, anything else HTTP 500.
 * Guessed: an unknown or completed file's URL answers 404, a method other than POST 405, a
 * multipart body that does not parse or has no file part 400; the token is not checked (the URL
 * is the credential); bytes of another length than declared are kept as they came.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer } from './api-request';
import type { FaultPlan } from './faults';
import { UPLOAD_PATH, type FileStore } from './files';
import { readBytes, sendText } from './http';
import type { RecordedCall } from './types';

/** The `method` the call log records a post to an upload URL under (no Web API method has this name). */
export const UPLOAD_URL_CALL = 'upload_url';

export interface UploadDeps {
  files: FileStore;
  faults: FaultPlan;
  /** Where each post is reported: the Web API server's call log, which this module does not know. */
  record(call: Omit<RecordedCall, 'seq'>): void;
}

interface Upload {
  fileId: string;
  /** The body as received. */
  body: Buffer;
  /** The file's bytes; undefined when a multipart body holds none or does not parse. */
  bytes?: Buffer;
  /** A multipart body's text fields. */
  fields: Record<string, string>;
}

interface UploadReply {
  status: number;
  text: string;
  /** Why it failed, for the call log. */
  error?: string;
  headers?: Record<string, string>;
}

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://emulator').pathname;

export const isUploadRequest = (req: IncomingMessage): boolean => pathOf(req).startsWith(UPLOAD_PATH);

async function readUpload(req: IncomingMessage): Promise<Upload> {
  const fileId = pathOf(req).slice(UPLOAD_PATH.length);
  const body = await readBytes(req);
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.split(';')[0]?.trim().toLowerCase() !== 'multipart/form-data') return { fileId, body, bytes: body, fields: {} };
  let form: FormData;
  try {
    // The runtime's own multipart parser (undici), rather than one written here.
    form = await new Response(body, { headers: { 'Content-Type': contentType } }).formData();
  } catch {
    return { fileId, body, fields: {} };
  }
  const fields: Record<string, string> = {};
  let bytes: Buffer | undefined;
  for (const [name, value] of form) {
    if (typeof value === 'string') fields[name] = value;
    else bytes ??= Buffer.from(await value.arrayBuffer());
  }
  return { fileId, body, ...(bytes ? { bytes } : {}), fields };
}

function answer(deps: UploadDeps, method: string | undefined, upload: Upload): UploadReply {
  const fault = deps.faults.take(UPLOAD_URL_CALL);
  if (fault?.error === 'ratelimited') {
    return { status: 429, text: 'ratelimited', error: 'ratelimited', headers: { 'Retry-After': String(fault.retryAfterSeconds) } };
  }
  if (fault) return { status: 500, text: fault.error, error: fault.error };
  if (method !== 'POST') return { status: 405, text: 'Method Not Allowed', error: 'method_not_allowed', headers: { Allow: 'POST' } };
  if (!deps.files.accepts(upload.fileId)) return { status: 404, text: 'Not Found', error: 'file_not_found' };
  if (!upload.bytes) return { status: 400, text: 'Bad Request', error: 'invalid_form_data' };
  deps.files.receive(upload.fileId, upload.bytes);
  return { status: 200, text: `OK - ${upload.bytes.length}` };
}

export async function receiveUpload(deps: UploadDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = new Date().toISOString();
  const upload = await readUpload(req);
  const reply = answer(deps, req.method, upload);
  const token = bearer(req.headers.authorization);
  deps.record({
    method: UPLOAD_URL_CALL,
    at,
    ...(token !== undefined ? { token } : {}),
    args: {
      file_id: upload.fileId,
      // Without a file's bytes, the whole body: whatever was sent stays scannable.
      ...(upload.bytes ? { length: upload.bytes.length, content: upload.bytes.toString('utf8') } : { content: upload.body.toString('utf8') }),
      ...(Object.keys(upload.fields).length > 0 ? { fields: upload.fields } : {}),
    },
    ok: reply.status === 200,
    ...(reply.error !== undefined ? { error: reply.error } : {}),
    response: reply.text,
  });
  sendText(res, reply.status, reply.text, reply.headers);
}
