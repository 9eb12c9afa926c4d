// A worker for the bare baseline, as its own process (so its RSS is its own): argv is the
// Temporal address and task queue, BARE_WORKFLOWS the workflows file (default workflows.js),
// BARE_CACHE_SIZE its workflow cache (the SDK's default when unset). Prints "ready" once
// polling; stops on SIGTERM.
const path = require('node:path');
const { DefaultLogger, NativeConnection, Runtime, Worker } = require('@temporalio/worker');

async function main() {
  // Warnings only: the bench prints its own figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const [address, taskQueue] = process.argv.slice(2);
  const connection = await NativeConnection.connect({ address });
  const cache = process.env.BARE_CACHE_SIZE ? { maxCachedWorkflows: Number(process.env.BARE_CACHE_SIZE) } : {};
  const worker = await Worker.create({ connection, taskQueue, workflowsPath: path.join(__dirname, process.env.BARE_WORKFLOWS ?? 'workflows.js'), ...cache });
  process.stdout.write('ready\n');
  await worker.run();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
