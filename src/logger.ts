/**
 * Logging on pino: JSON lines in production, one readable line per entry otherwise.
 * Callers pass facts as flat fields; no secret may be passed in the first place (tests
 * scan the output), and fields named like one are redacted all the same.
 */
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A process's logger: ours, and the same output shaped as the Temporal SDK's logger. */
export interface ProcessLogger extends Logger {
  /** For `Runtime.install({ logger })`: the SDK's entries (nested metadata, errors) land in the same lines. */
  readonly temporal: TemporalLogger;
}

export function logFormatFor(nodeEnv: string): LogFormat {
  return nodeEnv === 'production' ? 'json' : 'pretty';
}

/**
 * Field names that could ever carry a secret or token: ours (vault kinds, keys from the
 * configuration), Plaid's and Slack's, and HTTP's. Redaction is the net under the rule
 * above, and it is what keeps a library's error (a Plaid axios error holds PLAID-SECRET
 * in its request headers, plaid-node#565) out of the SDK's "Activity failed" lines.
 */
const SECRET_FIELDS = [
  'secret', 'secrets', 'sandboxSecret', 'productionSecret', 'developmentSecret', 'clientSecret', 'client_secret', 'signingSecret',
  'token', 'tokens', 'accessToken', 'access_token', 'accessTokens', 'publicToken', 'public_token', 'publicTokens', 'linkToken', 'link_token',
  'botToken', 'appToken', 'verificationToken', 'bodyToken', 'tokenKey',
  'apiKey', 'masterKey', 'previousMasterKey', 'assertionKey', 'previousAssertionKey', 'assertionKeys', 'payloadKey', 'payloadKeys', 'vaultKeys',
  'password', 'passphrase', 'databaseUrl', 'connectionString', 'authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'PLAID-SECRET', 'plaid-secret',
  // Node's raw request text (an error's `request._header`) repeats every header.
  '_header',
];
/** Objects whose every value may be one: HTTP headers (their names stay readable). */
const SECRET_OBJECTS = ['headers'];
/** A redaction path's `*` matches one level, so each name is listed down to this depth. */
const REDACT_DEPTH = 4;

function redactPaths(): string[] {
  const path = (segments: string[]) => segments.map((s, i) => (/^[A-Za-z_$][\w$]*$/.test(s) || s === '*' ? `${i ? '.' : ''}${s}` : `["${s}"]`)).join('');
  const paths: string[] = [];
  for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
    const above = Array<string>(depth).fill('*');
    for (const name of SECRET_FIELDS) paths.push(path([...above, name]));
    for (const name of SECRET_OBJECTS) paths.push(path([...above, name, '*']));
  }
  return paths;
}

const SDK_LEVELS: Record<TemporalLogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line), format: LogFormat = 'pretty'): ProcessLogger {
  // prettyFactory formats in the calling thread, not pino-pretty's stream or a pino
  // transport (a worker thread): both are asynchronous, so a CLI that exits right after
  // logging could lose the line, and tests could miss it.
  const pretty = format === 'pretty' ? prettyFactory({ colorize: false, singleLine: true, ignore: 'pid,hostname', translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'" }) : undefined;
  const root = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(), censor: '[redacted]' },
      // The SDK logs errors under both names; without a serializer an Error prints as {}.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    { write: pretty ? (line: string) => write(pretty(line)) : write },
  );
  const sdk = (at: TemporalLogLevel, message: string, meta?: LogMetadata) => root[SDK_LEVELS[at]](meta ?? {}, message);
  return {
    debug: (message, fields) => root.debug(fields ?? {}, message),
    info: (message, fields) => root.info(fields ?? {}, message),
    warn: (message, fields) => root.warn(fields ?? {}, message),
    error: (message, fields) => root.error(fields ?? {}, message),
    temporal: {
      log: sdk,
      trace: (message, meta) => sdk('TRACE', message, meta),
      debug: (message, meta) => sdk('DEBUG', message, meta),
      info: (message, meta) => sdk('INFO', message, meta),
      warn: (message, meta) => sdk('WARN', message, meta),
      error: (message, meta) => sdk('ERROR', message, meta),
    },
  };
}
