/**
 * The server side of a WebSocket (RFC 6455), as much as Socket Mode needs: the opening
 * handshake (§4.2: Sec-WebSocket-Accept is base64(SHA-1(key + the protocol's GUID)); a wrong
 * version is answered 426 with the version spoken, §4.4), text messages, fragmented or not
 * (§5.4), pongs to pings (§5.5.2) and the closing handshake (§5.5.1, §7.1.1: the side that
 * answers a close frame echoes its code; the server then closes TCP). No extension or
 * subprotocol is negotiated, so a client's offer of permessage-deflate is declined by leaving
 * it out of the answer (RFC 7692 §5). Binary messages are dropped: Socket Mode sends JSON text
 * and Slack's SDK ignores binary ones too.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODE, closeCode, closePayload, encodeFrame, FrameDecoder, FrameError, OPCODE, type Frame } from './websocket-frames';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** What one message may add up to; Socket Mode's JSON is far smaller. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long a peer gets to answer our close frame before the socket is destroyed. */
const CLOSE_TIMEOUT_MS = 1000;

export const acceptKey = (key: string): string => createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');

/** Answers an upgrade request with an HTTP error instead of a WebSocket, and drops the connection. */
export function refuseUpgrade(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const lines = Object.entries({ Connection: 'close', 'Content-Length': '0', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
  // Destroyed once written: an upgraded socket left to the client would hold the server's close() open.
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n`, () => socket.destroy());
}

/** Why the request is not a valid WebSocket opening handshake (§4.2.1), if it is not. */
function handshakeProblem(req: IncomingMessage): { status: number; headers?: Record<string, string> } | undefined {
  const tokens = (header: string | undefined): string[] => (header ?? '').split(',').map((token) => token.trim().toLowerCase());
  const key = req.headers['sec-websocket-key'] ?? '';
  const validKey = /^[A-Za-z0-9+/]{22}==$/.test(key);
  if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket' || !tokens(req.headers.connection).includes('upgrade') || !validKey) {
    return { status: 400 };
  }
  if (req.headers['sec-websocket-version'] !== '13') return { status: 426, headers: { 'Sec-WebSocket-Version': '13' } };
  return undefined;
}

export interface WebSocketHandlers {
  message(text: string): void;
  /** The TCP connection is gone. */
  closed(): void;
}

type State = 'open' | 'closing' | 'closed';

export class WebSocketConnection {
  /** Settles when the TCP connection is gone. */
  readonly done: Promise<void>;
  private readonly decoder = new FrameDecoder(MAX_MESSAGE_BYTES);
  private readonly text = new TextDecoder('utf-8', { fatal: true });
  private fragments: { opcode: number; parts: Buffer[]; bytes: number } | undefined;
  private state: State = 'open';
  /** Failed on a bad frame: what follows is not read (§7.1.7). */
  private failed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socket: Duplex,
    private readonly handlers: WebSocketHandlers,
  ) {
    this.done = new Promise((resolve) => {
      socket.on('close', () => {
        clearTimeout(this.closeTimer);
        this.state = 'closed';
        handlers.closed();
        resolve();
      });
    });
    // A reset peer: nothing to answer, the 'close' event follows.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  /** Completes the opening handshake, or refuses the request and returns undefined. */
  static accept(req: IncomingMessage, socket: Duplex, head: Buffer, handlers: WebSocketHandlers): WebSocketConnection | undefined {
    const problem = handshakeProblem(req);
    if (problem) {
      refuseUpgrade(socket, problem.status, problem.headers);
      return undefined;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
    );
    const connection = new WebSocketConnection(socket, handlers);
    if (head.length > 0) connection.receive(head);
    return connection;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Sends a text message; once closing, nothing more is sent (§5.5.1) and it is dropped. */
  send(text: string): void {
    if (this.state === 'open') this.socket.write(encodeFrame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  /** Starts the closing handshake; settles when the connection is gone (at most CLOSE_TIMEOUT_MS later). */
  close(code: number = CLOSE_CODE.normal, reason = ''): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      this.socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)));
      this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
    }
    return this.done;
  }

  private receive(chunk: Buffer): void {
    if (this.failed) return;
    try {
      for (const frame of this.decoder.push(chunk)) this.handle(frame);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      // Failing the connection (§7.1.7): a close frame with the reason, then TCP is closed without waiting for an answer.
      this.failed = true;
      if (this.state === 'open') this.socket.write(encodeFrame(OPCODE.close, closePayload(error.code, error.message)));
      this.endTcp();
    }
  }

  /** The server's side of closing: TCP goes first (§7.1.1), destroyed if the peer lingers. */
  private endTcp(): void {
    this.state = 'closing';
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  private handle(frame: Frame): void {
    switch (frame.opcode) {
      case OPCODE.ping:
        if (this.state === 'open') this.socket.write(encodeFrame(OPCODE.pong, frame.payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        // The peer's close, or its answer to ours: either way the server closes TCP now.
        if (this.state === 'open') this.socket.write(encodeFrame(OPCODE.close, closePayload(closeCode(frame.payload))));
        this.endTcp();
        return;
      default:
        this.assemble(frame);
    }
  }

  private assemble(frame: Frame): void {
    const continuing = frame.opcode === OPCODE.continuation;
    if (continuing !== (this.fragments !== undefined)) throw new FrameError(CLOSE_CODE.protocolError, continuing ? 'a continuation with no message' : 'a new message inside a fragmented one');
    const message = this.fragments ?? { opcode: frame.opcode, parts: [], bytes: 0 };
    message.parts.push(frame.payload);
    message.bytes += frame.payload.length;
    if (message.bytes > MAX_MESSAGE_BYTES) throw new FrameError(CLOSE_CODE.tooBig, `a message of over ${MAX_MESSAGE_BYTES} bytes`);
    this.fragments = frame.fin ? undefined : message;
    if (!frame.fin || message.opcode !== OPCODE.text || this.state !== 'open') return;
    let text: string;
    try {
      text = this.text.decode(Buffer.concat(message.parts));
    } catch {
      throw new FrameError(CLOSE_CODE.invalidPayload, 'a text message that is not UTF-8');
    }
    this.handlers.message(text);
  }
}
