/**
 * The workflow's contract: its name, id scheme, task queue, updates, query and search
 * attributes. The workflow, worker, CLI, bot and tests all import these definitions.
 */
import { defineSearchAttributeKey, SearchAttributeType, type UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { SETUP_SLUG_PATTERN } from './schemas';
import type { SetupState } from '../domain/state';
import { ACTION_NAMES, type ActionArgs, type ActionName } from './actions';

export const WORKFLOW_TYPE = 'plaidSetupWorkflow';
export const DEFAULT_TASK_QUEUE = 'plaid-setup';
const WORKFLOW_ID_PREFIX = 'plaid-setup/';

/**
 * The slug a setup name maps to: lower case, runs of anything but letters and digits
 * become one dash. Returns undefined when nothing usable is left.
 */
export function slugify(name: string): string | undefined {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return SETUP_SLUG_PATTERN.test(slug) ? slug : undefined;
}

export function workflowIdFor(setupId: string): string {
  return `${WORKFLOW_ID_PREFIX}${setupId}`;
}

export function setupIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : undefined;
}

export const searchAttributes = {
  step: defineSearchAttributeKey('PlaidSetupStep', SearchAttributeType.KEYWORD),
  environment: defineSearchAttributeKey('PlaidSetupEnvironment', SearchAttributeType.KEYWORD),
  enabled: defineSearchAttributeKey('PlaidSetupEnabled', SearchAttributeType.BOOL),
} as const;

/** Name → type, as `temporal server start-dev --search-attribute` and the operator API want them. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Record<string, 'Keyword' | 'Bool'> = {
  [searchAttributes.step.name]: 'Keyword',
  [searchAttributes.environment.name]: 'Keyword',
  [searchAttributes.enabled.name]: 'Bool',
};

/** One Temporal Update per checklist action, named after it, taking its arguments and answering the new state. */
export type ActionUpdates = { readonly [N in ActionName]: UpdateDefinition<SetupState, [ActionArgs<N>], N> };

// Built from the action names, so a new action needs no line here; the type says what each entry is.
export const updates = Object.fromEntries(ACTION_NAMES.map((name) => [name, defineUpdate(name)])) as unknown as ActionUpdates;

export const stateQuery = defineQuery<SetupState>('state');

/** The drift watch asks an enabled setup to check its live keys; it carries nothing, so anyone may send it. */
export const driftCheckSignal = defineSignal('driftCheck');

export const DRIFT_WATCH_WORKFLOW_TYPE = 'driftWatchWorkflow';
export const DRIFT_WATCH_SCHEDULE_ID = 'plaid-setup-drift-watch';

/** The failure type of a rejected action; its first detail is the rejection code. */
export const ACTION_REJECTED = 'ActionRejected';

/** The failure type of a start the workflow refuses (forged state, unsigned creator, bad options). */
export const INVALID_START = 'InvalidStart';
