/**
 * The worker: the plaid-setup workflow and its activities on one task queue.
 */
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { DataConverter, Duration } from '@temporalio/common';
import type { SetupActivities } from '../../activities/contract';
import type { AccessPolicy } from '../../domain/access';
import { bundlerOptionsFor } from './policy';

export interface SetupWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: SetupActivities;
  /**
   * Who holds which role, compiled into the workflow code this worker bundles. Required
   * unless `workflowBundle` is given, which must have been built with a policy
   * (bundleWithPolicy): without one every action is refused.
   */
  policy?: AccessPolicy;
  /** Tests bundle the workflow code once and share it between workers. */
  workflowBundle?: WorkflowBundle;
  /** Setups kept in memory between tasks (the SDK's default, sized from the heap, when unset). */
  workflowCacheSize?: number;
  /** How long running activities get to finish when the worker stops. */
  shutdownGraceTime?: Duration;
  /**
   * From dataConverterFor(config). A workflowBundle must have been built with the same
   * failureConverterPath, since workflow code carries its failure converter inside.
   */
  dataConverter?: DataConverter;
}

export const WORKFLOWS_PATH = require.resolve('../../workflows');

export function createSetupWorker(options: SetupWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    // The SDK's default, stated: one V8 context for all workflows is what makes the preloaded
    // shared modules (src/workflows/shared-modules.ts) shared.
    reuseV8Context: true,
    ...(options.workflowCacheSize !== undefined ? { maxCachedWorkflows: options.workflowCacheSize } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: bundlerOptionsFor(options.policy) }),
  });
}
