#!/usr/bin/env bash
# Every test, once: type check, unit tests (Vitest, Node), build, end-to-end tests (Playwright driving Debian's
# Chromium with WebGPU), then one closing line "N passed, N failed, N skipped". `npm test` runs this;
# scripts/test-all.sh installs what it needs first.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
status=0
npm run typecheck || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=1
npx vite build || status=1
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json || status=1
node scripts/test-summary.mjs reports/vitest.json reports/playwright.json || status=1
exit $status
