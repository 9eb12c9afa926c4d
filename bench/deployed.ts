import type { HarnessOptions } from '../test/support/harness';

/**
 * What the benchmarks' harness does as a deployed worker and bot would: log JSON lines from
 * info up (NODE_ENV=production, LOG_LEVEL=info), where tests keep readable debug lines.
 */
export const AS_DEPLOYED: { harness: HarnessOptions } = { harness: { log: { level: 'info', format: 'json' } } };
