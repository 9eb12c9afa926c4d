/** For tests that call the Slack emulator with the real WebClient. */
import { ErrorCode, LogLevel, type Logger, type WebAPIPlatformError } from '@slack/web-api';

/** A Slack SDK logger that drops everything. */
export const quietSlackLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The Slack error a call fails with. */
export async function slackError(call: Promise<unknown>): Promise<{ error: string; messages?: string[] }> {
  const failure = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(failure instanceof Error) || (failure as WebAPIPlatformError).code !== ErrorCode.PlatformError) throw new Error(`expected a platform error, got ${String(failure)}`);
  const data = (failure as WebAPIPlatformError).data;
  return { error: data.error, ...(data.response_metadata?.messages ? { messages: data.response_metadata.messages } : {}) };
}
