/**
 * Slack Web API clients. Inside activities Temporal owns retries, so rate-limited calls
 * are rejected (with Slack's Retry-After) instead of slept on, and the client does not
 * retry by itself (pitfalls: @slack/web-api would otherwise wait up to ~30 minutes).
 */
import { ErrorCode, LogLevel, WebClient, type WebAPICallResult } from '@slack/web-api';
import { slackCalls, timed } from '../ops/metrics';
import type { SlackConfig } from '../config';

/** Times every call into plaid_setup_slack_call_seconds, by method and Slack's error name. */
class TimedWebClient extends WebClient {
  override apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    return timed(slackCalls, { method }, (err) => (err === undefined ? 'ok' : (slackErrorName(err) ?? 'error')), () => super.apiCall(method, options));
  }
}

export function createActivityWebClient(slack: Pick<SlackConfig, 'botToken' | 'apiUrl'>): WebClient {
  return new TimedWebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
}

/** Slack's name for why a Web API call failed (`missing_scope`, `ratelimited`, …); undefined for other errors. */
export function slackErrorName(err: unknown): string | undefined {
  const e = err as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown } | undefined;
  if (e?.code === ErrorCode.PlatformError) return typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
  if (e?.code === ErrorCode.RateLimitedError) return 'ratelimited';
  if (e?.code === ErrorCode.HTTPError) return `http_${String(e.statusCode)}`;
  if (e?.code === ErrorCode.RequestError) return 'unreachable';
  return undefined;
}
