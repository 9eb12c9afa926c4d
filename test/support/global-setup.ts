/**
 * Provisions the Temporal CLI once per test run
 * (never the SDK's network download) and hands their paths to the test files.
 */
import { createLogger } from '../../src/logger';
import { TEMPORAL_CLI, provisionBinary } from '../../src/temporal/binaries';

export default function globalSetup(): void {
  const logger = createLogger('info');
  for (const spec of [TEMPORAL_CLI]) {
    const { executable, source } = provisionBinary(spec, { logger, allowDownload: false });
    if (executable.type === 'existing-path') {
      process.env[spec.envVar] = executable.path;
      process.stderr.write(`${spec.binary}: ${executable.path} (${source})\n`);
    }
  }
}
