/**
 * Reads a request body for the guard, bounded in size and time, so an unauthenticated
 * client can neither fill memory (a huge or endless body) nor hold a connection open (a
 * slow one). The signature can only be checked once the whole body is in, so these limits
 * apply before anyone is known.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Slack's largest payload to this bot is a block_actions click on a checklist message: the
 * message travels with it, at most 50 blocks of at most 3,000 characters (views/text.ts
 * caps them), under 200 KB form-encoded. Modal submissions are smaller (a handful of
 * inputs and 3,000 characters of private_metadata).
 */
export const BODY_LIMIT_BYTES = 256 * 1024;
export const READ_TIMEOUT_MS = 10_000;

export class BodyRefused extends Error {
  constructor(readonly status: 408 | 413) {
    super(status === 413 ? 'request body over the limit' : 'request body too slow');
  }
}

export function readBoundedBody(req: IncomingMessage, limits: { bytes: number; timeoutMs: number }): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limits.bytes) return Promise.reject(new BodyRefused(413));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (!error) return resolve(Buffer.concat(chunks, size));
      // Stop reading: whatever else the client sends is not taken off the socket.
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.bytes) finish(new BodyRefused(413));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onClose = () => finish(new Error('the client closed the connection before the body was complete'));
    const timer = setTimeout(() => finish(new BodyRefused(408)), limits.timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', finish).on('close', onClose);
  });
}
