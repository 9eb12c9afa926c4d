/**
 * Provisions the Temporal CLI once per test run (never through the SDK's network
 * download) and hands its path to the test files.
 */
import { createLogger } from '../../src/logger';
import { TEMPORAL_CLI, provisionBinary } from '../../src/temporal/provisioning/binaries';

export default function globalSetup(): void {
  const logger = createLogger('info');
  const { executable, source } = provisionBinary(TEMPORAL_CLI, { logger, allowDownload: false });
  if (executable.type === 'existing-path') {
    process.env[TEMPORAL_CLI.envVar] = executable.path;
    process.stderr.write(`${TEMPORAL_CLI.binary}: ${executable.path} (${source})\n`);
  }
}
