/**
 * Starts the bot: Bolt's HTTP receiver behind the request guard on PORT (endpoint
 * /slack/events), or Socket Mode when SLACK_APP_TOKEN is set. Either way PORT also serves
 * the ops routes and the one-time secret form (/secrets/…). SLACK_API_URL points the Web
 * API client elsewhere (the emulator).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { SlackConfig } from '../config';
import { RefusalCounter } from '../audit/refusal-counter';
import { registerBot, type BotDeps } from './app';
import { RequestGuard } from './guard';
import type { ReplayLedger } from './replay-store';
import { serveOps, type OpsOptions } from '../ops/server';
import { BodyRefused, readBoundedBody, refuseAndClose } from '../http/body';
import { closeServer, listen, portInUse } from '../http/listen';
import { routedPath } from '../http/path';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import type { SecretLinkStore } from '../secret-links/store';
import { serveSecretForm } from './secret-form/handler';
import { SecretLinks } from './secret-form/links';
import { HandlerDrain } from './drain';

export const EVENTS_PATH = '/slack/events';

/**
 * The signature can only be checked once the whole body is in, so these limits apply
 * before anyone is known. Slack's largest payload to this bot is a block_actions click on
 * a checklist message: the message travels with it, at most 50 blocks of at most 3,000
 * characters (views/text.ts caps them), under 200 KB form-encoded. Modal submissions are
 * smaller (a handful of inputs and 3,000 characters of private_metadata).
 */
export const BODY_LIMIT_BYTES = 256 * 1024;
export const READ_TIMEOUT_MS = 10_000;

export interface RunningBot {
  /** The Slack endpoint, in HTTP mode. */
  url?: string;
  /** The bot's own HTTP address (ops routes, the secret form), in both modes. */
  origin: string;
  mode: 'http' | 'socket';
  stop(): Promise<void>;
}

export interface BotServerOptions {
  host?: string;
  /** Request bodies over this many bytes are refused with 413 (default 256 KiB). */
  bodyLimitBytes?: number;
  /** A body not complete this long after the headers is refused with 408 (default 10 s). */
  readTimeoutMs?: number;
  /** /healthz, /readyz and /metrics on the same port. */
  ops?: OpsOptions;
}

/**
 * The HTTP front door also needs where accepted requests are kept, shared by every replica,
 * and (with one-time links) where the links are kept.
 */
/** How long stop() waits for handlers still running after their ack (an Update waits up to its own timeout). */
const DRAIN_TIMEOUT_MS = 15_000;

export type BotServices = Omit<BotDeps, 'links'> & { replays: ReplayLedger; linkStore?: SecretLinkStore };

export async function startBot(slack: SlackConfig, deps: BotServices, options: BotServerOptions = {}): Promise<RunningBot> {
  // A few quick retries for the bot's own calls (Socket Mode would otherwise set 100).
  const clientOptions = { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), retryConfig: { retries: 3, factor: 2 } };
  const { linkStore, replays, ...botDeps } = deps;
  // Known once the server listens, unless configured (the address behind the TLS proxy).
  let origin = slack.publicUrl;
  const links = slack.secretEntry === 'link' ? new SecretLinks(requireLinkStore(linkStore), deps.security, () => origin as string) : undefined;
  const refusals = new RefusalCounter(deps.security, { onError: (err) => deps.logger.error('Counted refusals not written', { error: String((err as Error).message) }) });
  const limits = { bytes: options.bodyLimitBytes ?? BODY_LIMIT_BYTES, timeoutMs: options.readTimeoutMs ?? READ_TIMEOUT_MS };
  const signingSecret = slack.signingSecret as string;
  const socket = !!slack.appToken;
  const receiver = socket ? undefined : new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, bodyLimit: limits.bytes, logLevel: LogLevel.WARN });
  const app = socket
    ? new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true, clientOptions, logLevel: LogLevel.WARN })
    : new App({ token: slack.botToken, receiver, clientOptions, logLevel: LogLevel.WARN });
  const drain = new HandlerDrain();
  drain.attach(app);
  const ctx = registerBot(app, { ...botDeps, ...(links ? { links } : {}) });
  const form = links ? { ctx, links, web: app.client, refusals } : undefined;
  const guard = new RequestGuard(signingSecret, replays);

  const server: Server = createServer({ headersTimeout: limits.timeoutMs, requestTimeout: 2 * limits.timeoutMs }, (req, res) => {
    void (async () => {
      if (options.ops && serveOps(options.ops, req, res)) return;
      if (form && serveSecretForm(form, req, res)) return;
      // Bolt has no other route (no OAuth, no custom routes): anything else is a quiet 404, not Bolt's error log line.
      // Matched as Bolt reads the path (http/path.ts), so nothing Bolt would handle passes the guard by another spelling.
      if (!receiver || (req.method ?? '').toUpperCase() !== 'POST' || routedPath(req.url) !== EVENTS_PATH) return refuseAndClose(req, res, 404);
      let body: Buffer;
      try {
        body = await readBoundedBody(req, limits);
      } catch (err) {
        if (err instanceof BodyRefused) return refuseAndClose(req, res, err.status);
        throw err;
      }
      const verdict = await guard.check(req.headers, body);
      if (!verdict.ok) {
        // Nobody is known yet: counted per address and minute, so a flood adds a few rows, not one per request.
        await refusals.refuse({ kind: verdict.kind, detail: verdict.detail, source: req.socket.remoteAddress ?? 'unknown' });
        res.writeHead(401).end();
        return;
      }
      // Bolt routes on exactly the path the guard passed, and reads the pre-read body from rawBody.
      req.url = EVENTS_PATH;
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      receiver.requestListener(req, res);
    })().catch((err: unknown) => {
      deps.logger.error('Slack request failed', { error: String((err as Error).message) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const host = options.host ?? '0.0.0.0';
  const { port } = await listen(server, slack.port, host, portInUse('the Slack bot', 'PORT'));
  const own = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  origin ??= own;
  if (socket) {
    try {
      await app.start();
    } catch (err) {
      await closeServer(server);
      throw err;
    }
  }
  return {
    mode: socket ? 'socket' : 'http',
    ...(socket ? {} : { url: `${own}${EVENTS_PATH}` }),
    origin: own,
    stop: async () => {
      if (socket) await app.stop();
      await closeServer(server);
      if (!(await drain.drained(DRAIN_TIMEOUT_MS))) deps.logger.warn('Slack handlers still running as the bot stopped', { waitedMs: DRAIN_TIMEOUT_MS });
      await refusals.close();
    },
  };
}

function requireLinkStore(store: SecretLinkStore | undefined): SecretLinkStore {
  if (!store) throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, 'The bot takes secrets through one-time links (PLAID_SETUP_SECRET_ENTRY=link) but was given no link store.');
  return store;
}
