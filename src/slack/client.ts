/**
 * Slack Web API clients. Inside activities Temporal owns retries, so rate-limited calls
 * are rejected (with Slack's Retry-After) instead of slept on, and the client does not
 * retry by itself (pitfalls: @slack/web-api would otherwise wait up to ~30 minutes).
 */
import { LogLevel, WebClient } from '@slack/web-api';
import type { SlackConfig } from '../config';

export function createActivityWebClient(slack: Pick<SlackConfig, 'botToken' | 'apiUrl'>): WebClient {
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
}
