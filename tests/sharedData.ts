/**
 * The one place tests find the real data folder (real index files, real radiographs) that sits beside the repository
 * as ../shared/data, or wherever CXR_SHARED_DATA points. A fresh clone without it still passes: the tests that need it
 * are not run and scripts/test-summary.mjs lists them by name with the reason. CI sets CXR_REQUIRE_SHARED_DATA=1
 * (.ci/run), which makes those tests run and fail when the folder is absent, so they can never be skipped silently.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// import.meta.url rather than __dirname: Playwright loads this file as an ES module, where __dirname does not exist.
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const SHARED_DATA = process.env.CXR_SHARED_DATA ? resolve(process.env.CXR_SHARED_DATA) : join(REPO_ROOT, '..', 'shared', 'data');
export const HAS_SHARED_DATA = existsSync(SHARED_DATA);
export const SHARED_DATA_REQUIRED = process.env.CXR_REQUIRE_SHARED_DATA === '1';
/** Pass to skipIf / testInfo.skip: true only when the folder is absent and CI did not require it. */
export const SKIP_WITHOUT_SHARED_DATA = !HAS_SHARED_DATA && !SHARED_DATA_REQUIRED;
export const SHARED_DATA_REASON = `needs the real data folder ${SHARED_DATA} (absent; set CXR_SHARED_DATA to its path)`;

/** A file of the real data folder; a clear error when it is missing (reached only when the tests must run). */
export function sharedDataFile(...parts: string[]): string {
  const path = join(SHARED_DATA, ...parts);
  if (!existsSync(path)) throw new Error(`real data file missing: ${path} (${SHARED_DATA_REASON})`);
  return path;
}
