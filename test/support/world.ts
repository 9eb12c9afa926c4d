/**
 * What every Temporal test file sets up: one dev server and one Plaid emulator per file,
 * a fresh Harness (its own vault, task queue and Plaid client) per test.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PlaidEmulator } from '../../src/emulators/plaid';
import { startDevServer } from './env';
import { Harness, type HarnessOptions } from './harness';

export interface World {
  env: TestWorkflowEnvironment;
  plaid: PlaidEmulator;
  h: Harness;
}

/** Registers the jest hooks; `receive` gets the world before each test. */
export function useWorld(receive: (world: World) => void, options: { serverArgs?: string[]; harness?: HarnessOptions } = {}): void {
  let env: TestWorkflowEnvironment | undefined;
  let plaid: PlaidEmulator | undefined;
  let h: Harness | undefined;
  beforeAll(async () => {
    env = await startDevServer(options.serverArgs);
    plaid = await PlaidEmulator.start();
  });
  afterAll(async () => {
    await plaid?.close();
    await env?.teardown();
  });
  beforeEach(async () => {
    h = await new Harness(env!, plaid!, options.harness).open();
    receive({ env: env!, plaid: plaid!, h });
  });
  afterEach(async () => {
    plaid?.clearFaults();
    await h?.close();
  });
}
