// Adds up the Vitest and Playwright JSON reports and prints one closing line "N passed, N failed, N skipped".
// Tests that were not run are listed by name above it, with the reason (the only tests that may be left unrun are
// those needing the real data folder when it is absent: tests/sharedData.ts). Exits non-zero when a report is
// missing, a test failed, or nothing ran.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
const notRun = [];
const [vitestFile, playwrightFile] = process.argv.slice(2);

if (!existsSync(vitestFile)) {
  console.error(`missing ${vitestFile}`);
  failed++;
} else {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numFailedTestSuites ?? 0);
  for (const file of v.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'skipped' || t.status === 'pending' || t.status === 'todo') notRun.push({ name: t.fullName, reason: 'it needs the real data folder, which is absent' });
    }
  }
}

function walk(suite, titles) {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      const status = t.status; // expected | unexpected | flaky | skipped
      if (status === 'expected' || status === 'flaky') passed++;
      else if (status === 'skipped') {
        const why = (t.annotations ?? []).find((a) => a.type === 'skip')?.description ?? 'no reason given';
        notRun.push({ name: [...titles, spec.title].join(' > '), reason: why });
      } else failed++;
    }
  }
  for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
}

if (!existsSync(playwrightFile)) {
  console.error(`missing ${playwrightFile}`);
  failed++;
} else {
  const p = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  for (const s of p.suites ?? []) walk(s, [s.title]);
  failed += (p.errors ?? []).length;
}

for (const t of notRun) console.log(`not run: ${t.name} (${t.reason})`);
console.log(`${passed} passed, ${failed} failed, ${notRun.length} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
