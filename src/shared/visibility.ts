/**
 * The one visibility query for setups: what the listing, the Home tab and the audit export
 * ask Temporal's visibility store for. Not workflow code (it is never bundled).
 */
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { searchAttributes, workflowIdFor, WORKFLOW_TYPE } from './messages';
import { SETUP_SLUG_PATTERN } from './schemas';

/** Which setups to list, as the visibility store can filter them (search attributes). */
export interface SetupFilter {
  /** Every run of this one setup. */
  setupId?: string;
  taskQueue?: string;
  running?: boolean;
  /** The next step's id, `complete` or `cancelled`. */
  step?: string;
  environment?: string;
  enabled?: boolean;
}

const KEYWORD = /^[a-z_]+$/;

/** The one visibility query for setups; a filter value outside the keywords' alphabet is refused, never quoted into it. */
export function setupsQuery(filter: SetupFilter): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (filter.setupId !== undefined) {
    if (!SETUP_SLUG_PATTERN.test(filter.setupId)) throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `Invalid setup id "${filter.setupId.slice(0, 40)}".`);
    clauses.push(`WorkflowId = '${workflowIdFor(filter.setupId)}'`);
  }
  if (filter.taskQueue !== undefined) clauses.push(`TaskQueue = '${filter.taskQueue.replace(/'/g, '')}'`);
  if (filter.running) clauses.push(`ExecutionStatus = 'Running'`);
  for (const [value, key] of [
    [filter.step, searchAttributes.step.name],
    [filter.environment, searchAttributes.environment.name],
  ] as const) {
    if (value === undefined) continue;
    if (!KEYWORD.test(value)) throw new PlaidSetupError(ERROR_CODES.INPUT_INVALID, `Invalid filter value "${value.slice(0, 40)}".`);
    clauses.push(`${key} = '${value}'`);
  }
  if (filter.enabled !== undefined) clauses.push(`${searchAttributes.enabled.name} = ${filter.enabled}`);
  return clauses.join(' AND ');
}

