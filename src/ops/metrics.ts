/**
 * The product's Prometheus metrics (prom-client), one registry per process: setups by
 * step, checks passed and failed by code, Slack and Plaid call latency, and refused
 * requests by kind. The Temporal SDK's own metrics come from its runtime's exporter and
 * are served beside these (ops/server.ts).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const checkOutcomes = new Counter({
  name: 'plaid_setup_checks_total',
  help: 'Plaid checks run by activities, by check and outcome; a failure carries its code',
  labelNames: ['check', 'outcome', 'code'] as const,
  registers: [registry],
});

export const plaidCalls = new Histogram({
  name: 'plaid_setup_plaid_call_seconds',
  help: 'Plaid API calls, by operation and outcome (ok, or the HTTP status, or error)',
  labelNames: ['operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const slackCalls = new Histogram({
  name: 'plaid_setup_slack_call_seconds',
  help: 'Slack Web API calls made by the worker, by method and outcome',
  labelNames: ['method', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const securityEvents = new Counter({
  name: 'plaid_setup_refused_requests_total',
  help: 'Requests refused and other security events recorded, by kind (denied, rejected, forged_request, stale_request, replayed_request, key_error, tampered_log, secret_link_*)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Counts setups per step when scraped; the process that can ask Temporal sets the source. */
let countSetups: (() => Promise<Map<string, number>>) | undefined;

export function countSetupsWith(source: (() => Promise<Map<string, number>>) | undefined): void {
  countSetups = source;
}

new Gauge({
  name: 'plaid_setup_setups',
  help: 'Running setups by the step they wait on (complete once enabled)',
  labelNames: ['step'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    if (!countSetups) return;
    for (const [step, n] of await countSetups()) this.set({ step }, n);
  },
});

/** Times `work` into `histogram` under `labels`, with the outcome `outcomeOf` names (also for a rejection). */
export async function timed<T, L extends string>(
  histogram: Histogram<L | 'outcome'>,
  labels: Partial<Record<L, string>>,
  outcomeOf: (err?: unknown) => string,
  work: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer(labels as Partial<Record<L | 'outcome', string>>);
  try {
    const result = await work();
    end({ outcome: outcomeOf() } as Partial<Record<L | 'outcome', string>>);
    return result;
  } catch (err) {
    end({ outcome: outcomeOf(err) } as Partial<Record<L | 'outcome', string>>);
    throw err;
  }
}
