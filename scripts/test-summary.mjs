// Adds up the Vitest and Playwright JSON reports and prints one closing line "N passed, N failed, N skipped".
// Exits non-zero when a report is missing, a test failed, or nothing ran.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const [vitestFile, playwrightFile] = process.argv.slice(2);

if (!existsSync(vitestFile)) {
  console.error(`missing ${vitestFile}`);
  failed++;
} else {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numFailedTestSuites ?? 0);
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}

function walk(suite) {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      const status = t.status; // expected | unexpected | flaky | skipped
      if (status === 'expected' || status === 'flaky') passed++;
      else if (status === 'skipped') skipped++;
      else failed++;
    }
  }
  for (const child of suite.suites ?? []) walk(child);
}

if (!existsSync(playwrightFile)) {
  console.error(`missing ${playwrightFile}`);
  failed++;
} else {
  const p = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  for (const s of p.suites ?? []) walk(s);
  failed += (p.errors ?? []).length;
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
