/**
 * Reads a request body bounded in size and time, for every HTTP server here (the bot's
 * front door, the codec endpoint, the Plaid emulator): a client can neither fill memory
 * (a huge or endless body) nor hold a connection open (a slow one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyRefused extends Error {
  constructor(readonly status: 408 | 413) {
    super(status === 413 ? 'request body over the limit' : 'request body too slow');
  }
}

export interface BodyLimits {
  bytes: number;
  timeoutMs: number;
}

export function readBoundedBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
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

/** Answers without reading what is left of the body, and drops the connection so the client cannot go on sending. */
export function refuseAndClose(req: IncomingMessage, res: ServerResponse, status: number): void {
  res.writeHead(status, { connection: 'close' });
  res.end(() => req.socket.destroy());
}
