/**
 * Socket Mode's WebSocket side (docs.slack.dev/apis/events-api/using-socket-mode):
 * apps.connections.open hands the app a URL, here ws://HOST:PORT/link/?ticket=…&app_id=…
 * (Slack's: wss://wss-primary.slack.com/link/?ticket=…&app_id=…); on connecting the app gets
 * `hello` (connection_info.app_id, num_connections, debug_info); payloads then come in envelopes
 * `{ payload, envelope_id, type, accepts_response_payload }`, each acknowledged with
 * `{ envelope_id, payload? }`; a `disconnect` message (reason warning, refresh_requested or
 * link_disabled, with debug_info.host) tells the app to reconnect. "When multiple connections
 * are active, each payload may be sent to any of the connections": here, to the newest.
 * The WebSocket protocol itself (handshake, framing, pings, closing) is the `ws` package's.
 * Guessed: a ticket is good for one connection; an unknown or used ticket is refused with HTTP
 * 403 before the handshake and any other path with 404; no payload goes to a connection after
 * its disconnect message; the debug_info values; acks naming no pending envelope are ignored.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { newSocketTicket } from './ids';
import { isJsonObject, type JsonObject } from './json';

export const LINK_PATH = '/link/';
const DEBUG_HOST = 'applink-emulator';
/** What one message may add up to; Socket Mode's JSON is far smaller. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long an app gets to answer the emulator's close frame before its socket is destroyed (ws itself waits 30 s). */
const CLOSE_TIMEOUT_MS = 1000;
const GOING_AWAY = 1001;

export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive';
  payload: JsonObject;
  accepts_response_payload: boolean;
}

/** The app's acknowledgement of an envelope: its `payload`, when it sent one. */
export interface EnvelopeAck {
  payload?: unknown;
}

interface Link {
  socket: WebSocket;
  /** Sent a disconnect message: takes no more payloads. */
  retiring: boolean;
}

interface PendingAck {
  resolve(ack: EnvelopeAck | undefined): void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class SocketModeHub {
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly waiters = new Set<Waiter>();
  // Links are tracked here, so the server need not track clients too.
  private readonly server = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_MESSAGE_BYTES });
  private links: Link[] = [];
  private baseUrl: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly appId: string) {}

  /** Serves the WebSocket URLs on the emulator's server, whose base URL is http://HOST:PORT. */
  attach(server: Server, baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/^http:/, 'ws:');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** What apps.connections.open answers: a URL for one connection. */
  issueUrl(): string {
    if (this.baseUrl === undefined) throw new Error('Slack emulator: Socket Mode is not attached to a server');
    const ticket = newSocketTicket();
    this.tickets.add(ticket);
    return `${this.baseUrl}${LINK_PATH}?${new URLSearchParams({ ticket, app_id: this.appId }).toString()}`;
  }

  /** Connections open now, greeted with hello. */
  get connectionCount(): number {
    return this.links.filter((link) => isOpen(link.socket)).length;
  }

  /** Resolves once the app has a connection; rejects when it has none within timeoutMs. */
  connected(timeoutMs: number): Promise<void> {
    if (this.connectionCount > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`Slack emulator: the app opened no Socket Mode connection within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Sends the envelope on the newest connection; resolves with the app's ack, or undefined when
   * none arrives within timeoutMs. Throws when the app has no connection to send it on.
   */
  deliver(envelope: Envelope, timeoutMs: number): Promise<EnvelopeAck | undefined> {
    const link = [...this.links].reverse().find((candidate) => isOpen(candidate.socket) && !candidate.retiring);
    if (!link) throw new Error('Slack emulator: the app has no Socket Mode connection to deliver to');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, { resolve, timer });
      link.socket.send(JSON.stringify(envelope));
    });
  }

  /** Sends `disconnect` on every connection; returns how many got it. */
  disconnect(reason: DisconnectReason): number {
    const live = this.links.filter((link) => isOpen(link.socket) && !link.retiring);
    for (const link of live) {
      link.retiring = true;
      link.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: DEBUG_HOST } }));
    }
    return live.length;
  }

  /** Ends pending waits and closes every connection (close code 1001, going away). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { timer, resolve } of this.pending.values()) {
        clearTimeout(timer);
        resolve(undefined);
      }
      this.pending.clear();
      for (const { timer, reject } of this.waiters) {
        clearTimeout(timer);
        reject(new Error('Slack emulator: closed'));
      }
      this.waiters.clear();
      await Promise.all(this.links.map((link) => goAway(link.socket)));
    })();
    return this.closing;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'ws://emulator');
    if (url.pathname !== LINK_PATH) return refuseUpgrade(socket, 404);
    const ticket = url.searchParams.get('ticket') ?? '';
    if (this.closing || !this.tickets.has(ticket)) return refuseUpgrade(socket, 403);
    // ws answers a bad handshake itself and then never calls back: the ticket stays usable.
    this.server.handleUpgrade(req, socket, head, (connection) => this.open(connection, ticket));
  }

  private open(connection: WebSocket, ticket: string): void {
    this.tickets.delete(ticket);
    connection.on('message', (data, isBinary) => {
      // Socket Mode speaks JSON text; Slack's SDK ignores binary messages too.
      if (!isBinary) this.acknowledge(data.toString());
    });
    // A protocol error: ws has already failed the connection with its close code, and 'close' follows.
    connection.on('error', () => undefined);
    connection.on('close', () => {
      this.links = this.links.filter((link) => link.socket !== connection);
    });
    this.links.push({ socket: connection, retiring: false });
    connection.send(JSON.stringify(this.hello()));
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.waiters.clear();
  }

  private hello(): JsonObject {
    return {
      type: 'hello',
      connection_info: { app_id: this.appId },
      num_connections: this.connectionCount,
      debug_info: { host: DEBUG_HOST, started: new Date().toISOString().replace('T', ' ').slice(0, 23), build_number: 1, approximate_connection_time: 3600 },
    };
  }

  /** An ack `{ envelope_id, payload? }` settles its envelope's delivery. */
  private acknowledge(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      return;
    }
    if (!isJsonObject(message) || typeof message.envelope_id !== 'string') return;
    const pending = this.pending.get(message.envelope_id);
    if (!pending) return;
    this.pending.delete(message.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve('payload' in message ? { payload: message.payload } : {});
  }
}

const isOpen = (socket: WebSocket): boolean => socket.readyState === WebSocket.OPEN;

/** Answers an upgrade request with an HTTP error instead of a WebSocket, and drops the connection. */
function refuseUpgrade(socket: Duplex, status: number): void {
  // Destroyed once written: an upgraded socket left to the client would hold the server's close() open.
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/** Closes with 1001 (going away); settles when the TCP connection is gone, at most CLOSE_TIMEOUT_MS later. */
function goAway(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(GOING_AWAY, 'emulator closing');
  });
}
