/**
 * Replays histories recorded from real runs against today's workflow code, so a change
 * that breaks determinism for running setups fails here. `npm run record-histories`
 * re-records them (run it when a change is meant to be incompatible, with a new
 * workflow version).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { PlaidEmulator } from '../src/emulators/plaid';
import { startDevServer, workflowBundle } from './support/env';
import { Harness, actors, journeyToEnablement, newSecret } from './support/harness';

const FIXTURES = path.join(__dirname, 'fixtures', 'histories');

if (process.env.RECORD_HISTORIES === '1') {
  test('record histories from real runs', async () => {
    const env = await startDevServer();
    const plaid = await PlaidEmulator.start();
    const h = await new Harness(env, plaid).open();
    try {
      const worker = await h.worker();
      await worker.runUntil(async () => {
        // With a checklist channel, so the history has the checklist's publishing too.
        await h.start('journey', {}, { channel: 'C0RECORDED' });
        await journeyToEnablement(h, 'journey');
        await h.act('journey', 'enable', { actor: actors.alice });
        await h.act('journey', 'disable', { actor: actors.alice });
        await h.act('journey', 'cancel', { actor: actors.alice, reason: 'recorded' });
        await h.handle('journey').result();

        await h.start('failure');
        await h.act('failure', 'confirmRedirect', { actor: actors.alice });
        await h.act('failure', 'submitCredentials', { actor: actors.alice, clientId: h.clientId, sandboxSecret: await h.secret('failure', 'sandbox', newSecret()) });
        await h.act('failure', 'updateSettings', { actor: actors.alice, syncMode: 'continuous' });
        await h.act('failure', 'runSandboxTest', { actor: actors.alice });
        await h.until('failure', (s) => !s.job);
        await h.act('failure', 'cancel', { actor: actors.alice });
        await h.handle('failure').result();
      });
      mkdirSync(FIXTURES, { recursive: true });
      for (const id of ['journey', 'failure']) {
        const json = historyToJSON(await h.handle(id).fetchHistory());
        for (const secret of h.submittedSecrets) expect(json).not.toContain(secret);
        writeFileSync(path.join(FIXTURES, `${id}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
      }
    } finally {
      await h.close();
      await plaid.close();
      await env.teardown();
    }
  });
} else {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  test('there are recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  test.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history)).resolves.toBeUndefined();
  });
}
