/**
 * Health, readiness and metrics over HTTP, for an orchestrator and Prometheus:
 * `/healthz` (the process answers), `/readyz` (every probe passes: Temporal reachable,
 * storage writable, the worker running; 503 while shutting down), `/metrics` (the
 * product's metrics, then the Temporal SDK's from its runtime's exporter). The bot serves
 * them beside /slack/events; a process without the bot's HTTP server starts this one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, portInUse } from '../http/listen';
import { registry } from './metrics';

export interface Probe {
  name: string;
  /** Resolves when the dependency is usable; the rejection's message says why not. */
  check(): Promise<void>;
}

export interface OpsOptions {
  probes: readonly Probe[];
  /** The Temporal SDK's Prometheus exporter (Runtime telemetry), when this process installed one. */
  sdkMetricsUrl?: string;
  /** True once shutdown began: not ready, so traffic goes elsewhere while work drains. */
  draining(): boolean;
}

const PROBE_TIMEOUT_MS = 3_000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function readiness(options: OpsOptions): Promise<{ ready: boolean; checks: Record<string, string> }> {
  if (options.draining()) return { ready: false, checks: { process: 'shutting down' } };
  const results = await Promise.all(
    options.probes.map(async (p) => {
      try {
        await within(PROBE_TIMEOUT_MS, p.check());
        return [p.name, 'ok'] as const;
      } catch (err) {
        return [p.name, err instanceof Error ? err.message.slice(0, 200) : 'failed'] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}

async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await within(PROBE_TIMEOUT_MS, fetch(url));
    return res.ok ? await res.text() : `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
  } catch {
    return '# Temporal SDK metrics unavailable\n';
  }
}

/** Answers an ops route and returns true; false for any other request (the caller's). */
export function serveOps(options: OpsOptions, req: IncomingMessage, res: ServerResponse): boolean {
  const method = (req.method ?? '').toUpperCase();
  const route = (req.url ?? '').split('?')[0];
  if ((method !== 'GET' && method !== 'HEAD') || !['/healthz', '/readyz', '/metrics'].includes(route ?? '')) return false;
  void (async () => {
    if (route === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (route === '/readyz') {
      const result = await readiness(options);
      res.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(result)}\n`);
    } else {
      const text = `${await registry.metrics()}\n${await sdkMetrics(options.sdkMetricsUrl)}`;
      res.writeHead(200, { 'content-type': registry.contentType }).end(text);
    }
  })().catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
  });
  return true;
}

export interface RunningOps {
  url: string;
  close(): Promise<void>;
}

/** The ops routes alone on PORT, for a process without the bot's HTTP server; anything else is a 404. */
export async function startOpsServer(port: number, host: string, options: OpsOptions): Promise<RunningOps> {
  const server = createServer((req, res) => {
    if (!serveOps(options, req, res)) res.writeHead(404).end();
  });
  const address = await listen(server, port, host, portInUse('health and metrics', 'PORT'));
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`, close: () => closeServer(server) };
}
