/**
 * Where the Temporal CLI is cached: the repository's git-ignored .tools folder, whether the
 * code runs from src (tests) or from dist (npm start), so both find one install.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TOOLS_DIR } from '../src/temporal/provisioning/binaries';

const REPO_TOOLS = path.resolve(__dirname, '..', '.tools');

test('the tool cache is the repository root’s .tools, seen from src', () => {
  expect(DEFAULT_TOOLS_DIR).toBe(REPO_TOOLS);
});

test('the tool cache is the same folder, seen from dist', () => {
  const built = path.resolve(__dirname, '../dist/temporal/provisioning/binaries.js');
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fromDist = (require(built) as { DEFAULT_TOOLS_DIR: string }).DEFAULT_TOOLS_DIR;
  expect(fromDist).toBe(REPO_TOOLS);
});
