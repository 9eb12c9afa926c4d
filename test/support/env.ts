/**
 * A real Temporal server for tests: the CLI dev server with the project's search
 * attributes, from the binary global-setup found.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { searchAttributes } from '../../src/shared/messages';
import { TEMPORAL_CLI } from '../../src/temporal/provisioning/binaries';
import { ENCODING_FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';
import { WORKFLOWS_PATH } from '../../src/temporal/worker/worker';
import { bundleWithPolicy } from '../../src/temporal/worker/policy';
import { TEST_POLICY } from './policy';

function binary(envVar: string): string {
  const path = process.env[envVar];
  if (!path) throw new Error(`${envVar} is not set: test/support/global-setup.ts should have provisioned it`);
  return path;
}

export function startDevServer(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary(TEMPORAL_CLI.envVar) },
      searchAttributes: Object.values(searchAttributes),
      log: { level: 'error', format: 'pretty' },
      extraArgs,
    },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

/** The workflow code with the test access policy compiled in, bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWithPolicy(TEST_POLICY, { workflowsPath: WORKFLOWS_PATH, logger: quiet });
  return bundle;
}

let encryptingBundle: Promise<WorkflowBundle> | undefined;
/** The workflow code with the failure converter that encodes failure messages (payload key set). */
export function encryptingWorkflowBundle(): Promise<WorkflowBundle> {
  encryptingBundle ??= bundleWithPolicy(TEST_POLICY, { workflowsPath: WORKFLOWS_PATH, failureConverterPath: ENCODING_FAILURE_CONVERTER_PATH, logger: quiet });
  return encryptingBundle;
}

let queue = 0;
export function uniqueTaskQueue(name: string): string {
  queue += 1;
  return `${name}-${process.pid}-${queue}-${Date.now()}`;
}
