/**
 * What the workflow sandbox carries. Each open workflow evaluates the bundle's modules for
 * itself, so a heavy library there is paid once per open setup (zod was about 1.1 MB each,
 * bench/worker-memory.bench.ts); the pure modules every workflow uses are preloaded once.
 */
import { workflowBundle } from './support/env';

test('the workflow bundle has no zod, and preloads the shared modules once per context', async () => {
  const { code } = await workflowBundle();
  expect(code).not.toMatch(/node_modules\/zod\//);
  expect(code).toMatch(/node_modules\/valibot\//);
  const preload = /function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  expect(preload).toMatch(/workflows\/shared-modules/);
});
