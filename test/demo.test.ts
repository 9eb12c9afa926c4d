/**
 * `plaid-setup demo`, as a newcomer runs it: one command, from dist/, with nothing set in
 * the environment but PATH. It must drive the whole journey and print the audit record.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../bin/plaid-setup.js');

test('the demo runs a whole setup through Slack payloads, in both phases, fixes a failed check, and prints the audit record', async () => {
  if (!existsSync(path.resolve(__dirname, '../dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
  const child = spawn(process.execPath, [CLI, 'demo', '--exit'], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect({ code, output }).toMatchObject({ code: 0 });
  // In order: the failed check and its fix, the second person's approval, enablement, the drift check.
  const steps = [
    /failed as it should: INVALID_FIELD: Plaid Sandbox refused the redirect URI https:\/\/plaid\.codat\.io\/oauth\/callback/,
    /passed: keys, Link configuration and a Sandbox Item/,
    /checklist: "Plaid setup acme: Enabled in Sandbox; next: Production request \(sandbox\)"; Codat read back: enabled=true/,
    /Phase 1 of 2: Sandbox, enabled\./,
    /Bob approves/,
    /checklist: "Plaid setup acme: Enabled \(production\)"; Migrated to Production by alice: Plaid Production accepted the keys; enabled in Production\./,
    /Phase 2 of 2: Production\./,
    /live keys accepted at 20\d\d-/,
    /\| bob \(U0BOB\) \| approveProduction \| production_approval \| accepted \|/,
    /\| secret link used \| The link [0-9a-f]{12} \(Production secret\) was used from 127\.0\.0\.1: accepted\. \|/,
    /Where to look: the Temporal Web UI at http:\/\/127\.0\.0\.1:\d+/,
  ];
  // No secret (30 hex characters) and no link token is printed: fingerprints only.
  expect(output).not.toMatch(/\b[0-9a-f]{30}\b/);
  expect(output).not.toMatch(/\/secrets\/[A-Za-z0-9_-]{43}/);
  let from = 0;
  for (const step of steps) {
    const at = output.slice(from).search(step);
    expect({ step: String(step), found: at >= 0, output }).toMatchObject({ found: true });
    from += at;
  }
}, 240_000);
