/**
 * Runs the emulator on its own for a demo: one ready-made client, and what to point
 * plaid-setup at. The credentials printed only work against this emulator.
 */
import { PlaidEmulator } from './emulator';
import { demoClient } from './registry';

/**
 * Starts the emulator with one demoClient(). With `port`, Sandbox listens on it and
 * Production on the next port; without, both pick free ports.
 */
export async function runPlaidEmulator(opts: { port?: number; out: (line: string) => void }): Promise<PlaidEmulator> {
  const client = demoClient();
  const emulator = await PlaidEmulator.start({
    clients: [client],
    ...(opts.port !== undefined ? { ports: { sandbox: opts.port, production: opts.port + 1 } } : {}),
  });
  opts.out(`Plaid emulator (Sandbox):    ${emulator.sandboxUrl}`);
  opts.out(`Plaid emulator (Production): ${emulator.productionUrl}`);
  opts.out('Emulator-only credentials (they work against this emulator only, never against Plaid):');
  opts.out(`  client_id:         ${client.clientId}`);
  opts.out(`  Sandbox secret:    ${client.secrets.sandbox}`);
  opts.out(`  Production secret: ${client.secrets.production ?? '(none)'}`);
  return emulator;
}
