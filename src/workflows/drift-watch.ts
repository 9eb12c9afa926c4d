/**
 * The drift watch, started by a Temporal Schedule (temporal/client/drift-schedule.ts): asks
 * every enabled setup on this task queue to check its live keys. Each setup runs the check
 * itself (a `drift` job), so the result, the alert and the audit row live in its history.
 */
import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import type { SetupActivities } from '../activities/contract';
import { driftCheckSignal, workflowIdFor } from '../shared/messages';

const { listEnabledSetups } = proxyActivities<Pick<SetupActivities, 'listEnabledSetups'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function driftWatchWorkflow(): Promise<{ asked: number }> {
  const setupIds = await listEnabledSetups();
  let asked = 0;
  for (const setupId of setupIds) {
    try {
      await getExternalWorkflowHandle(workflowIdFor(setupId)).signal(driftCheckSignal);
      asked += 1;
    } catch (err) {
      // It ended (cancelled, continued) between the listing and the signal: the next run sees it again.
      log.warn('drift check not delivered', { setupId, error: String(err) });
    }
  }
  return { asked };
}
