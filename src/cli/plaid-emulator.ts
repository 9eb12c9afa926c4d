/**
 * `plaid-setup plaid-emulator`: the loopback Plaid emulator on fixed ports, for trying
 * plaid-setup end to end without a Plaid account. It never talks to Plaid.
 */
import { once } from 'node:events';
import { z } from 'zod';
import { runPlaidEmulator } from '../emulators/plaid/main';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import type { CliContext } from './context';

export const DEFAULT_EMULATOR_PORT = 7300;

const PortSchema = z.coerce.number().int().min(1024).max(65534);

export async function plaidEmulatorCommand(ctx: CliContext, portText: string): Promise<number> {
  const port = PortSchema.safeParse(portText);
  if (!port.success) {
    throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `--port must be a whole number from 1024 to 65534 (Production uses the next port), not "${portText}".`);
  }
  const out = (line: string) => ctx.io.stdout(`${line}\n`);
  const emulator = await runPlaidEmulator({ port: port.data, out });
  out('');
  out('Point plaid-setup at it, in another terminal:');
  out(`  PLAID_SANDBOX_URL=${emulator.sandboxUrl} PLAID_PRODUCTION_URL=${emulator.productionUrl} npm start`);
  out('Press Ctrl-C to stop.');
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await emulator.close();
  return 0;
}
