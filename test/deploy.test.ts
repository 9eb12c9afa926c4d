/**
 * The deployment files, checked against the code they deploy (no container engine runs
 * here): compose services run commands the CLI has, every variable they set is one the
 * configuration reads, the example environment makes a valid production configuration, and
 * the image runs as an unprivileged user from a multi-stage build.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  build?: string;
  command?: string[];
  env_file?: string;
  environment?: Record<string, string>;
}
const compose = parse(read('deploy/compose.yaml')) as { services: Record<string, Service> };
const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** deploy/plaid-setup.env.example as name → value (comments and blanks skipped). */
const example = Object.fromEntries(
  read('deploy/plaid-setup.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
/** Compose's own variable, not the product's. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD'];

test('the compose file runs the worker and the bot from this image, with commands the CLI has', () => {
  expect(ours.map(([name, s]) => [name, s.command])).toEqual([
    ['worker', ['worker']],
    ['bot', ['bot']],
  ]);
  for (const [, service] of ours) {
    const help = execFileSync(process.execPath, [path.join(ROOT, 'bin/plaid-setup.js'), ...(service.command ?? []), '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: plaid-setup /m);
  }
});

test('every variable the deploy files set is one the configuration reads', () => {
  const set = [...Object.keys(example), ...ours.flatMap(([, s]) => Object.keys(s.environment ?? {}))];
  expect(set.filter((name) => !COMPOSE_ONLY.includes(name) && !CONFIG_VARIABLES.includes(name))).toEqual([]);
});

test('the example environment, filled in, is a valid production configuration for both services', () => {
  const key = () => Buffer.alloc(32, 7).toString('base64');
  const filled: Record<string, string> = {
    ...example,
    POSTGRES_PASSWORD: 'pw',
    PLAID_SETUP_MASTER_KEY: key(),
    PLAID_SETUP_ASSERTION_KEY: key(),
    PLAID_SETUP_PAYLOAD_KEY: key(),
    PLAID_SETUP_OPERATORS: 'U0OPERATOR',
    PLAID_SETUP_APPROVERS: 'U0APPROVER',
    PLAID_SETUP_AUDITORS: 'U0AUDITOR',
    SLACK_BOT_TOKEN: 'xoxb-1-2',
    SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
  };
  for (const [, service] of ours) {
    const environment = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v.replace('${POSTGRES_PASSWORD}', 'pw')]));
    const config = loadConfig({ ...filled, ...environment });
    expect(config.nodeEnv).toBe('production');
    expect(config.databaseUrl).toBe('postgres://plaid_setup:pw@postgres:5432/plaid_setup');
    expect(config.temporal.address).toBe('temporal:7233');
  }
});

test('the image is built in stages and runs as the unprivileged node user', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  expect(runtime).toMatch(/^USER node$/m);
  expect(runtime).not.toMatch(/^COPY (?!--from=build)/m);
  expect(runtime).toMatch(/^ENTRYPOINT \["node", "bin\/plaid-setup\.js"\]$/m);
});
