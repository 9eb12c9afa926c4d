/**
 * The long-running processes as an operator starts them: what they refuse before they
 * start anything.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeServer, listen } from '../src/http/listen';
import { runCli } from './support/cli';

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

describe('npm start on a machine where a port it needs is taken', () => {
  test.each([
    ['TEMPORAL_DEV_PORT', 'the Temporal dev server'],
    ['TEMPORAL_DEV_UI_PORT', 'the Temporal Web UI'],
  ])('%s taken: stops with the port named, before starting anything', async (variable, what) => {
    const { server, port } = await occupied();
    // The other port free, so only the taken one can be the reason.
    const spare = await occupied();
    await closeServer(spare.server);
    const other = variable === 'TEMPORAL_DEV_PORT' ? 'TEMPORAL_DEV_UI_PORT' : 'TEMPORAL_DEV_PORT';
    try {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ports-'));
      const run = await runCli(['dev', '--open-roles'], { PLAID_SETUP_DATA_DIR: dataDir, [variable]: String(port), [other]: String(spare.port), TEMPORAL_ADDRESS: '' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${port} (${what}) is already in use by another process. Stop that process, or set ${variable}`);
      expect(run.stdout).not.toContain('Temporal dev server:');
    } finally {
      await closeServer(server);
    }
  });
});
