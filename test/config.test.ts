/**
 * Configuration: defaults, and a bad value stops start-up naming the variable.
 */
import path from 'node:path';
import { loadConfig, rolesOf, slackMissing } from '../src/config';

test('defaults need no environment at all', () => {
  const config = loadConfig({}, '/srv/app');
  expect(config.dataDir).toBe(path.resolve('/srv/app', '.data'));
  expect(config.temporal).toMatchObject({ namespace: 'default', taskQueue: 'plaid-setup', devPort: 7233, devUiPort: 8233 });
  expect(config.temporal.address).toBeUndefined();
  expect(config.reminderAfterMs).toBe(24 * 3_600_000);
  expect(config.approvalTimeoutMs).toBe(7 * 86_400_000);
  // Roles fail closed: nobody holds one until the lists are set, or open roles are asked for.
  expect(config.rolesOpen).toBe(false);
  expect(rolesOf(config, 'anyone')).toEqual([]);
});

describe('roles fail closed', () => {
  const lists = { PLAID_SETUP_OPERATORS: 'U1', PLAID_SETUP_APPROVERS: 'S0APPROVERS', PLAID_SETUP_AUDITORS: 'U4' };
  const bot = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef' };

  test('open roles only when asked for, with no Slack bot and no lists', () => {
    const open = loadConfig({ PLAID_SETUP_OPEN_ROLES: 'true' });
    expect(open.rolesOpen).toBe(true);
    expect(rolesOf(open, 'anyone')).toEqual(['operator', 'approver', 'auditor']);
    // Lists, once set, win over the opt-in.
    expect(loadConfig({ PLAID_SETUP_OPEN_ROLES: 'true', ...lists }).rolesOpen).toBe(false);
  });

  test.each([
    ['development', {}],
    ['test', {}],
    [
      'production',
      {
        PLAID_SETUP_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
        PLAID_SETUP_ASSERTION_KEY: Buffer.alloc(32, 2).toString('base64'),
        PLAID_SETUP_PUBLIC_URL: 'https://plaid-setup.example.com',
      },
    ],
  ])('a configured bot without role lists does not start (NODE_ENV=%s), naming the variables', (nodeEnv, keys) => {
    const attempt = () => loadConfig({ NODE_ENV: nodeEnv, ...keys, ...bot });
    expect(attempt).toThrow(/PLAID_SETUP_OPERATORS, PLAID_SETUP_APPROVERS and PLAID_SETUP_AUDITORS: the Slack bot is configured/);
    expect(() => loadConfig({ NODE_ENV: nodeEnv, ...keys, ...bot, PLAID_SETUP_OPEN_ROLES: 'true' })).toThrow(/PLAID_SETUP_/);
    expect(loadConfig({ NODE_ENV: nodeEnv, ...keys, ...bot, ...lists }).rolesOpen).toBe(false);
  });

  test('open roles are refused with a bot or in production', () => {
    expect(() => loadConfig({ PLAID_SETUP_OPEN_ROLES: 'yes', ...bot, ...lists })).toThrow(/PLAID_SETUP_OPEN_ROLES: open roles are for local use without Slack, not with SLACK_BOT_TOKEN/);
    expect(() => loadConfig({ PLAID_SETUP_OPEN_ROLES: 'yes', NODE_ENV: 'production' })).toThrow(/PLAID_SETUP_OPEN_ROLES: open roles are for local use without Slack, not with NODE_ENV=production/);
  });

  test('a listed group id grants its role only through an asserted group, never to an actor with that id', () => {
    const config = loadConfig(lists);
    expect(rolesOf(config, 'S0APPROVERS')).toEqual([]);
    expect(rolesOf(config, 'U1')).toEqual(['operator']);
  });
});

test.each([
  ['PLAID_SETUP_MASTER_KEY', 'c2hvcnQ=', /PLAID_SETUP_MASTER_KEY: must be 32 bytes in base64/],
  ['PLAID_SETUP_REMINDER_AFTER', 'tomorrow', /PLAID_SETUP_REMINDER_AFTER: use a number and a unit/],
  ['TEMPORAL_DEV_PORT', '99999', /TEMPORAL_DEV_PORT/],
  ['PLAID_SANDBOX_URL', 'not a url', /PLAID_SANDBOX_URL: must be an http\(s\) URL/],
  ['TEMPORAL_TLS', 'maybe', /TEMPORAL_TLS/],
  ['NODE_ENV', 'staging', /NODE_ENV/],
  ['SLACK_BOT_TOKEN', 'xoxp-user-token', /SLACK_BOT_TOKEN: must be a bot token \(xoxb-\.\.\.\)/],
  ['SLACK_SIGNING_SECRET', 'short', /SLACK_SIGNING_SECRET: must be the 32-character Signing Secret/],
  ['SLACK_APP_TOKEN', 'xoxb-1', /SLACK_APP_TOKEN: must be an app-level token/],
  ['PLAID_SETUP_APPROVALS_CHANNEL', '#approvals', /PLAID_SETUP_APPROVALS_CHANNEL: must be a Slack channel id/],
  ['PLAID_SETUP_PAYLOAD_KEY', 'c2hvcnQ=', /PLAID_SETUP_PAYLOAD_KEY: must be 32 bytes in base64/],
  ['PLAID_SETUP_PREVIOUS_PAYLOAD_KEY', Buffer.alloc(32, 1).toString('base64'), /PLAID_SETUP_PREVIOUS_PAYLOAD_KEY: set PLAID_SETUP_PAYLOAD_KEY too/],
  ['PLAID_SETUP_CODEC_ORIGINS', 'https://ui.example.com/path', /PLAID_SETUP_CODEC_ORIGINS: each entry must be an origin/],
  ['PLAID_SETUP_CODEC_PORT', 'eighty', /PLAID_SETUP_CODEC_PORT/],
  ['PLAID_SETUP_WORKFLOW_CACHE_SIZE', 'lots', /PLAID_SETUP_WORKFLOW_CACHE_SIZE: must be a whole number/],
  ['PLAID_SETUP_WORKFLOW_CACHE_SIZE', '2.5', /PLAID_SETUP_WORKFLOW_CACHE_SIZE: must be a whole number/],
  ['PLAID_SETUP_WORKFLOW_CACHE_SIZE', '1', /PLAID_SETUP_WORKFLOW_CACHE_SIZE: must be at least 2/],
  ['PLAID_SETUP_SECRET_ENTRY', 'email', /PLAID_SETUP_SECRET_ENTRY: must be link \(a one-time form off Slack\) or modal/],
  ['PLAID_SETUP_PUBLIC_URL', 'ftp://example.com', /PLAID_SETUP_PUBLIC_URL: must be the http\(s\) address browsers reach the bot at/],
  ['PLAID_SETUP_PUBLIC_URL', 'https://example.com/plaid', /PLAID_SETUP_PUBLIC_URL: must be an origin/],
  ['PLAID_SETUP_PUBLIC_URL', 'https://user:pw@example.com', /PLAID_SETUP_PUBLIC_URL: must be an origin/],
  ['PLAID_SETUP_PUBLIC_URL', 'https://example.com?next=/', /PLAID_SETUP_PUBLIC_URL: must be an origin/],
  // Found by test/faults/fuzz.test.ts: a value that is no URL at all threw a TypeError instead.
  ['PLAID_SETUP_PUBLIC_URL', ' ', /PLAID_SETUP_PUBLIC_URL: must be the http\(s\) address browsers reach the bot at/],
])('%s=%s is refused with the variable named', (name, value, message) => {
  expect(() => loadConfig({ [name]: value })).toThrow(message);
});

describe('secret entry', () => {
  const production = {
    NODE_ENV: 'production',
    PLAID_SETUP_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
    PLAID_SETUP_ASSERTION_KEY: Buffer.alloc(32, 2).toString('base64'),
    PLAID_SETUP_OPERATORS: 'U1',
    PLAID_SETUP_APPROVERS: 'U2',
    PLAID_SETUP_AUDITORS: 'U3',
    SLACK_BOT_TOKEN: 'xoxb-1-2',
    SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
  };

  test('one-time links by default, on the bot\'s own address in development', () => {
    expect(loadConfig({}).slack).toMatchObject({ secretEntry: 'link' });
    expect(loadConfig({}).slack.publicUrl).toBeUndefined();
    expect(loadConfig({ PLAID_SETUP_PUBLIC_URL: 'https://plaid-setup.example.com/' }).slack.publicUrl).toBe('https://plaid-setup.example.com');
  });

  test('in production a bot with links needs an https public address; modals do not', () => {
    expect(() => loadConfig(production)).toThrow(/PLAID_SETUP_PUBLIC_URL: required in production for the one-time secret links/);
    expect(() => loadConfig({ ...production, PLAID_SETUP_PUBLIC_URL: 'http://plaid-setup.example.com' })).toThrow(/the https:\/\/ address browsers reach the bot at/);
    expect(loadConfig({ ...production, PLAID_SETUP_PUBLIC_URL: 'https://plaid-setup.example.com' }).slack.publicUrl).toBe('https://plaid-setup.example.com');
    expect(loadConfig({ ...production, PLAID_SETUP_SECRET_ENTRY: 'modal' }).slack.secretEntry).toBe('modal');
  });
});

test.each([
  ['PLAID_SETUP_REMINDER_AFTER', '30s', /PLAID_SETUP_REMINDER_AFTER: must be from 1m to 90d/],
  ['PLAID_SETUP_REMINDER_AFTER', '91d', /PLAID_SETUP_REMINDER_AFTER: must be from 1m to 90d/],
  ['PLAID_SETUP_APPROVAL_TIMEOUT', '1ms', /PLAID_SETUP_APPROVAL_TIMEOUT: must be from 1m to 90d/],
  ['PLAID_SETUP_APPROVAL_TIMEOUT', '99999999999d', /PLAID_SETUP_APPROVAL_TIMEOUT: must be from 1m to 90d/],
  ['PLAID_TIMEOUT', '500ms', /PLAID_TIMEOUT: must be from 1s to 2m/],
  ['PLAID_TIMEOUT', '1h', /PLAID_TIMEOUT: must be from 1s to 2m/],
])('a duration out of range, %s=%s, is refused with the range', (name, value, message) => {
  expect(() => loadConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
});

test('the worker caches 500 setups unless PLAID_SETUP_WORKFLOW_CACHE_SIZE says otherwise', () => {
  expect(loadConfig({}).temporal.workflowCacheSize).toBe(500);
  expect(loadConfig({ PLAID_SETUP_WORKFLOW_CACHE_SIZE: ' 250 ' }).temporal.workflowCacheSize).toBe(250);
});

test('durations at the ends of their ranges are accepted', () => {
  const low = loadConfig({ PLAID_SETUP_REMINDER_AFTER: '1m', PLAID_SETUP_APPROVAL_TIMEOUT: '60s', PLAID_TIMEOUT: '1000ms' });
  expect(low).toMatchObject({ reminderAfterMs: 60_000, approvalTimeoutMs: 60_000, plaid: { timeoutMs: 1000 } });
  const high = loadConfig({ PLAID_SETUP_REMINDER_AFTER: '90d', PLAID_SETUP_APPROVAL_TIMEOUT: '2160h', PLAID_TIMEOUT: '2m' });
  expect(high).toMatchObject({ reminderAfterMs: 90 * 86_400_000, approvalTimeoutMs: 90 * 86_400_000, plaid: { timeoutMs: 120_000 } });
});

test('payload encryption is off until PLAID_SETUP_PAYLOAD_KEY is set; the codec endpoint serves the dev Web UI by default', () => {
  expect(loadConfig({}).payloadKeys).toBeUndefined();
  expect(loadConfig({}).codec).toEqual({ port: 8234, origins: ['http://127.0.0.1:8233', 'http://localhost:8233'] });
  const key = Buffer.alloc(32, 7);
  const previous = Buffer.alloc(32, 9);
  const config = loadConfig({
    PLAID_SETUP_PAYLOAD_KEY: key.toString('base64'),
    PLAID_SETUP_PREVIOUS_PAYLOAD_KEY: previous.toString('base64'),
    PLAID_SETUP_CODEC_ORIGINS: 'https://temporal.example.com, http://localhost:8080',
  });
  expect(config.payloadKeys).toEqual({ current: key, previous });
  expect(config.codec.origins).toEqual(['https://temporal.example.com', 'http://localhost:8080']);
});

test('roles come from the three lists once any is set', () => {
  const config = loadConfig({ PLAID_SETUP_OPERATORS: 'U1, U2', PLAID_SETUP_APPROVERS: 'U2,U3', PLAID_SETUP_AUDITORS: 'U4' });
  expect(config.rolesOpen).toBe(false);
  expect(rolesOf(config, 'U1')).toEqual(['operator']);
  expect(rolesOf(config, 'U2')).toEqual(['operator', 'approver']);
  expect(rolesOf(config, 'U4')).toEqual(['auditor']);
  expect(rolesOf(config, 'U9')).toEqual([]);
});

test('mutual TLS needs both certificate and key; an API key turns TLS on', () => {
  expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/c.pem' })).toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
  expect(loadConfig({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }).temporal.tls).toBeDefined();
});

test('the bot says what it is missing, in the words of the Slack app settings', () => {
  expect(slackMissing(loadConfig({}).slack)).toEqual([
    'SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token)',
    'SLACK_SIGNING_SECRET (Basic Information > App Credentials), or SLACK_APP_TOKEN for Socket Mode',
  ]);
  const http = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef', PORT: '3100', PLAID_SETUP_OPERATORS: 'U1' });
  expect(slackMissing(http.slack)).toEqual([]);
  expect(http.slack).toMatchObject({ port: 3100 });
  expect(slackMissing(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-A1-2', PLAID_SETUP_OPERATORS: 'U1' }).slack)).toEqual([]);
});
