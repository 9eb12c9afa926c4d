import { createLogger, logFormatFor, type LogFormat } from '../src/logger';

function capture(format: LogFormat, level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, (line) => void lines.push(line), format) };
}

test('production writes JSON lines; elsewhere one readable line per entry', () => {
  expect(logFormatFor('production')).toBe('json');
  expect(logFormatFor('development')).toBe('pretty');
  expect(logFormatFor('test')).toBe('pretty');

  const json = capture('json');
  json.logger.warn('Registered search attributes', { names: 'a,b', count: 2, skipped: undefined });
  expect(json.lines).toHaveLength(1);
  expect(json.lines[0]!.endsWith('\n')).toBe(true);
  expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 40, msg: 'Registered search attributes', names: 'a,b', count: 2, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

  const pretty = capture('pretty');
  pretty.logger.error('History export not sent', { setupId: 'acme', attempt: 2 });
  expect(pretty.lines).toEqual([expect.stringMatching(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] ERROR: History export not sent \{"setupId":"acme","attempt":2\}\n$/)]);
});

test('entries below the level are dropped, the SDK’s trace always', () => {
  const { lines, logger } = capture('json', 'info');
  logger.debug('not shown');
  logger.temporal.debug('not shown either');
  logger.temporal.trace('nor this');
  logger.info('shown');
  logger.temporal.log('WARN', 'Activity failed', { activityType: 'verifyCredentials' });
  expect(lines.map((l) => JSON.parse(l) as { msg: string; level: number })).toEqual([
    expect.objectContaining({ msg: 'shown', level: 30 }),
    expect.objectContaining({ msg: 'Activity failed', level: 40, activityType: 'verifyCredentials' }),
  ]);
});

test('the SDK’s errors keep their message and stack (an Error is not printed as {})', () => {
  const { lines, logger } = capture('json');
  logger.temporal.warn('Activity failed', { error: new TypeError('boom') });
  expect(JSON.parse(lines[0]!)).toMatchObject({ error: { type: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') } });
});

/** Every field name that could carry a secret or token, as callers or libraries spell it. */
const SECRET_FIELDS = [
  'secret', 'secrets', 'sandboxSecret', 'productionSecret', 'developmentSecret', 'clientSecret', 'client_secret', 'signingSecret',
  'token', 'tokens', 'accessToken', 'access_token', 'publicToken', 'public_token', 'linkToken', 'link_token', 'botToken', 'appToken', 'verificationToken',
  'apiKey', 'masterKey', 'assertionKey', 'payloadKey', 'payloadKeys', 'tokenKey', 'password', 'authorization', 'Authorization', 'cookie', 'set-cookie', 'PLAID-SECRET',
];

test.each(['json', 'pretty'] as const)('no value of a secret-named field is written, at the top level or nested (%s)', (format) => {
  const { lines, logger } = capture(format);
  const values: string[] = [];
  const value = () => {
    const v = `s3cr3t-${values.length}-${Math.random().toString(16).slice(2)}`;
    values.push(v);
    return v;
  };
  for (const name of SECRET_FIELDS) {
    logger.info('top level', { [name]: value(), setup: 'acme' });
    logger.temporal.info('top level from the SDK', { [name]: value(), setup: 'acme' });
    logger.temporal.warn('nested', { activity: { [name]: value() }, deeper: { a: { [name]: value() } }, deepest: { a: { b: { [name]: value() } } } });
    logger.temporal.warn('in a list', { items: [{ [name]: value() }] });
  }
  // What a Plaid (axios) error holds: the request headers, twice, and Node's raw request.
  const plaidError = Object.assign(new Error('Request failed with status code 400'), {
    config: { headers: { 'PLAID-CLIENT-ID': value(), 'PLAID-SECRET': value() } },
    request: { _header: `POST /institutions/get HTTP/1.1\r\nPLAID-SECRET: ${value()}\r\n` },
    response: { status: 400, config: { headers: { 'PLAID-SECRET': value() } }, data: { error_code: 'INVALID_API_KEYS' } },
  });
  logger.temporal.warn('Activity failed', { error: plaidError });
  logger.temporal.warn('Activity failed', { error: new Error('wrapped', { cause: plaidError }) });
  logger.temporal.warn('headers', { headers: { authorization: `Bearer ${value()}`, 'x-slack-signature': value() } });

  const output = lines.join('');
  // The entries were written, with what is not secret.
  expect(output).toContain('acme');
  expect(output).toContain('INVALID_API_KEYS');
  expect(output).toContain('[redacted]');
  for (const v of values) expect(output).not.toContain(v);
});
