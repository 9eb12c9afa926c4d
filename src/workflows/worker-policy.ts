/**
 * The worker's access policy as workflow code sees it. The worker compiles its policy into
 * the workflow bundle (temporal/worker/policy.ts defines the constant below), because
 * update validators run in the sandbox, synchronously, and may not read configuration.
 * Validators do not run on replay, so a worker restarted with other roles replays the
 * same histories.
 */
import * as v from 'valibot';
import { AccessPolicySchema, type AccessPolicy } from '../domain/access';

declare const __PLAID_SETUP_ACCESS_POLICY__: string | undefined;

function compiledPolicy(): AccessPolicy | undefined {
  const raw = typeof __PLAID_SETUP_ACCESS_POLICY__ === 'string' ? __PLAID_SETUP_ACCESS_POLICY__ : undefined;
  if (raw === undefined) return undefined;
  try {
    const parsed = v.safeParse(AccessPolicySchema, JSON.parse(raw));
    return parsed.success ? parsed.output : undefined;
  } catch {
    // A policy that does not parse allows nothing.
    return undefined;
  }
}

export const WORKER_POLICY: AccessPolicy | undefined = compiledPolicy();
