/**
 * Issue 11's grid through the real browser (WASM): 3 methods x 2 label fractions x 1 seed on the tiny demo, reloaded
 * mid-grid and resumed; the results table with the better of LoRA / full fine-tuning marked, the wins line, the chart
 * of test macro AUROC by label fraction, and the exports (CSV parses, JSON passes its schema check).
 */
import Papa from 'papaparse';
import { readFile } from 'node:fs/promises';
import { configureRun, expect, loadDemo, test } from './lab';
import { checkResultsJson } from '../src/run/resultsJson';

test('a 3 x 2 x 1 grid on the demo survives a reload mid-grid and ends with the results table, wins line, chart and exports', async ({ page, watch }) => {
  void watch;
  test.setTimeout(480_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: wasm' })).toBeVisible();
  await loadDemo(page);
  await configureRun(page, { steps: 20, batchSize: 8, evalEvery: 10, evalImages: 32 });
  const grid = page.getByRole('region', { name: '8. Experiment grid' });
  // 1 % of the demo's 350 training images is 4, fewer than one batch: the panel says so per cell before anything runs.
  await expect(grid.getByRole('list', { name: 'Why the grid cannot run' })).toContainText('1 % of 350 training images is 4, fewer than one batch of 8.');
  await grid.getByRole('checkbox', { name: '1 %', exact: true }).uncheck();
  await expect(grid.getByRole('list', { name: 'Why the grid cannot run' })).toHaveCount(0);
  await grid.getByRole('button', { name: 'Run grid (6 runs)' }).click();

  const progress = grid.getByRole('status').filter({ hasText: /^Grid /});
  await expect(progress).toContainText(/run 3 of 6/, { timeout: 300_000 });
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Backend: wasm' })).toBeVisible();
  const unfinished = page.getByRole('group', { name: /Unfinished grid/ });
  await expect(unfinished).toContainText(/stopped at run 3 of 6 \(interrupted\)/);
  await unfinished.getByRole('button', { name: 'Resume grid' }).click();
  await expect(grid.getByRole('status').filter({ hasText: 'Grid finished: 6 runs.' })).toBeVisible({ timeout: 400_000 });

  // The table: one row per method x fraction, each with a test macro AUROC from one seed.
  const rows = grid.locator('tr[data-method][data-fraction][data-macro-auroc]');
  await expect(rows).toHaveCount(6);
  for (const row of await rows.all()) {
    const auroc = Number(await row.getAttribute('data-macro-auroc'));
    expect(auroc).toBeGreaterThan(0);
    expect(auroc).toBeLessThanOrEqual(1);
    expect(await row.getAttribute('data-seeds')).toBe('1');
  }
  await expect(grid.locator('[data-versus="better"]')).toHaveCount(2);
  await expect(grid.getByRole('status').filter({ hasText: /LoRA won \d of 2 fractions/ })).toBeVisible();
  await expect(grid.getByRole('img', { name: 'Test macro AUROC by label fraction' })).toBeVisible();
  // All six runs are kept, finished and scored (none lost to the reload).
  await expect(page.locator('tr[data-run-id][data-status="finished"]')).toHaveCount(6);

  const save = async (name: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), grid.getByRole('button', { name }).click()]);
    return readFile((await download.path())!, 'utf8');
  };
  const csv = Papa.parse<Record<string, string>>(await save('Export table as CSV'), { header: true, skipEmptyLines: true });
  expect(csv.errors).toEqual([]);
  expect(csv.data).toHaveLength(6);
  const json = JSON.parse(await save('Export table as JSON'));
  expect(checkResultsJson(json)).toEqual([]);
  expect(json.runs).toHaveLength(6);
  expect(json.runs.every((r: { config: { totalSteps: number } }) => r.config.totalSteps === 20)).toBe(true);
  expect(await save('Export table as Markdown')).toMatch(/\| LoRA \|/);
});
