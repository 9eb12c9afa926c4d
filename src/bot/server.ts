/**
 * Starts the bot: Bolt's HTTP receiver behind the request guard on PORT (endpoint
 * /slack/events), or Socket Mode when SLACK_APP_TOKEN is set. SLACK_API_URL points the
 * Web API client elsewhere (the emulator).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { SlackConfig } from '../config';
import { registerBot, type BotDeps } from './app';
import { RequestGuard } from './guard';

export const EVENTS_PATH = '/slack/events';

export interface RunningBot {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  mode: 'http' | 'socket';
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startBot(slack: SlackConfig, deps: BotDeps, options: { host?: string } = {}): Promise<RunningBot> {
  // A few quick retries for the bot's own calls (Socket Mode would otherwise set 100).
  const clientOptions = { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), retryConfig: { retries: 3, factor: 2 } };
  if (slack.appToken) {
    const app = new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true, clientOptions, logLevel: LogLevel.WARN });
    registerBot(app, deps);
    await app.start();
    return { mode: 'socket', stop: () => app.stop().then(() => undefined) };
  }

  const signingSecret = slack.signingSecret as string;
  const receiver = new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, logLevel: LogLevel.WARN });
  const app = new App({ token: slack.botToken, receiver, clientOptions, logLevel: LogLevel.WARN });
  registerBot(app, deps);
  const guard = new RequestGuard(signingSecret);

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && (req.url ?? '').split('?')[0] === EVENTS_PATH) {
        const body = await readBody(req);
        const verdict = guard.check(req.headers, body);
        if (!verdict.ok) {
          await deps.security.record({ kind: verdict.kind, detail: verdict.detail });
          res.writeHead(401).end();
          return;
        }
        // Bolt reads a pre-read body from rawBody instead of the consumed stream.
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      }
      receiver.requestListener(req, res);
    })().catch((err: unknown) => {
      deps.logger.error('Slack request failed', { error: String((err as Error).message) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(slack.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    mode: 'http',
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${EVENTS_PATH}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
