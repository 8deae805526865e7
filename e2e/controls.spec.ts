/** Long work can be paused, resumed, stopped and cancelled, and what was done is kept. */
import { configureRun, downloadJson, expect, loadDemo, statusText, test, waitForFinish, waitForStep } from './lab';
import type { MetricsLog } from '../src/run/records';

test('Pause holds the training, Resume continues it, Stop ends it early and keeps its metrics', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await loadDemo(page);
  await configureRun(page, { method: 'LoRA', steps: 5000, batchSize: 8, evalEvery: 1000, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForStep(page, 5);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  const paused = Number(/Step (\d+)/.exec(await statusText(page, 'Step '))![1]);
  await page.waitForTimeout(1500);
  expect(Number(/Step (\d+)/.exec(await statusText(page, 'Step '))![1])).toBe(paused);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForStep(page, paused + 5);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitForFinish(page);
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.events.map((e) => e.kind)).toEqual(['pause', 'resume', 'stop']);
  expect(metrics.steps.length).toBeGreaterThanOrEqual(paused + 5);
  expect(metrics.steps.length).toBeLessThan(5000);
});

test('Cancel stops an ingest and keeps what was stored; adding the demo again stores only the rest', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  const progress = page.getByRole('progressbar', { name: 'Ingest progress' });
  await expect(progress).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => Number((await progress.getAttribute('value')) ?? 0), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  const cancelled = page.getByText(/Ingest cancelled after (\d+) images/);
  await expect(cancelled).toBeVisible();
  const kept = Number(/after (\d+) images/.exec((await cancelled.textContent())!)![1]);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(500);
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('(incomplete)');

  await page.reload();
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  await expect(page.getByText(new RegExp(`Ingested ${500 - kept} images`))).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).not.toContainText('(incomplete)');
});
