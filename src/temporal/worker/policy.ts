/**
 * The worker's access policy (who holds which role, which keys sign actor assertions),
 * compiled into the workflow bundle as a constant that src/workflows/worker-policy.ts
 * reads. Update validators run synchronously in the workflow sandbox and cannot read
 * configuration; this is how they decide with the worker's configuration, never the
 * caller's. The bundle lives in the worker's memory only.
 */
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundle } from '@temporalio/worker';
import { DefinePlugin, type Configuration } from 'webpack';
import type { Config } from '../../config';
import type { AccessPolicy } from '../../domain/access';
import type { KeyPair } from '../../vault/master-key';

/** The constant's name in workflow code (declared in src/workflows/worker-policy.ts). */
const POLICY_CONSTANT = '__PLAID_SETUP_ACCESS_POLICY__';

export function accessPolicyFor(config: Pick<Config, 'roles' | 'rolesOpen'>, assertionKeys: KeyPair): AccessPolicy {
  return {
    open: config.rolesOpen,
    roles: config.roles,
    assertionKeys: [assertionKeys.current, ...(assertionKeys.previous ? [assertionKeys.previous] : [])].map((k) => k.toString('hex')),
  };
}

/** The webpack hook that puts `policy` into the workflow code. */
export function policyHook(policy: AccessPolicy): (config: Configuration) => Configuration {
  return (config) => ({
    ...config,
    plugins: [...(config.plugins ?? []), new DefinePlugin({ [POLICY_CONSTANT]: JSON.stringify(JSON.stringify(policy)) })],
  });
}

/** Evaluated once per V8 context and shared by every workflow (src/workflows/shared-modules.ts). */
export const PRELOAD_MODULES = [require.resolve('../../workflows/shared-modules')];

/** How the worker bundles its workflow code: the shared modules preloaded, `policy` (if any) compiled in. */
export function bundlerOptionsFor(policy: AccessPolicy | undefined): { webpackConfigHook?: (config: Configuration) => Configuration; preloadModules: string[] } {
  return { preloadModules: PRELOAD_MODULES, ...(policy ? { webpackConfigHook: policyHook(policy) } : {}) };
}

/** The workflow code with `policy` compiled in (the worker does this at start; tests once per file). */
export function bundleWithPolicy(policy: AccessPolicy, options: Omit<BundleOptions, 'webpackConfigHook' | 'preloadModules'>): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ ...options, ...bundlerOptionsFor(policy) });
}
