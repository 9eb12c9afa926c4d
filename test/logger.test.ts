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
