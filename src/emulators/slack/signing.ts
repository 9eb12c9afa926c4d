/**
 * Request signing as Slack does it (docs.slack.dev/authentication/verifying-requests-from-slack):
 * X-Slack-Request-Timestamp is the Unix time in seconds, and X-Slack-Signature is "v0=" and the
 * hex HMAC-SHA256, keyed with the app's signing secret, of "v0:{timestamp}:{raw body}".
 */
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestamp: number, body: string | Buffer): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export function signatureHeaders(signingSecret: string, timestamp: number, body: string | Buffer): Record<string, string> {
  return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': slackSignature(signingSecret, timestamp, body) };
}
