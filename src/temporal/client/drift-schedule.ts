/**
 * The drift watch's Temporal Schedule: one per task queue, running driftWatchWorkflow every
 * PLAID_SETUP_DRIFT_INTERVAL, never two at once. Every worker makes sure it exists at start
 * (the first creates it, the others bring its interval up to date).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { DRIFT_WATCH_SCHEDULE_ID, DRIFT_WATCH_WORKFLOW_TYPE, searchAttributes, setupIdFromWorkflowId } from '../../shared/messages';
import { setupsQuery } from '../../shared/visibility';

export const driftScheduleId = (taskQueue: string) => `${DRIFT_WATCH_SCHEDULE_ID}/${taskQueue}`;

export async function ensureDriftSchedule(client: Client, taskQueue: string, everyMs: number): Promise<void> {
  const scheduleId = driftScheduleId(taskQueue);
  const options = {
    scheduleId,
    spec: { intervals: [{ every: everyMs }] },
    action: { type: 'startWorkflow' as const, workflowType: DRIFT_WATCH_WORKFLOW_TYPE, taskQueue, workflowId: scheduleId },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  } satisfies ScheduleOptions;
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action }));
  }
}

/** The running, enabled setups on this task queue, from the visibility store. */
export async function enabledSetupIds(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: setupsQuery({ taskQueue, running: true, enabled: true }) })) {
    const id = setupIdFromWorkflowId(wf.workflowId);
    if (id && wf.typedSearchAttributes.get(searchAttributes.enabled)) ids.push(id);
  }
  return ids;
}
