import { configureRun, downloadJson, expect, loadDemo, mean, statusText, test, waitForFinish } from './lab';
import type { MetricsLog } from '../src/run/records';

test('demo dataset -> LoRA on the tiny preset on WebGPU: the loss falls and per-label AUROC is charted', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: webgpu' })).toBeVisible();
  await loadDemo(page);
  // SwiftShader WebGPU runs a tiny step in seconds, so the run is short; lr 0.05 (MRM-style SGD) lowers the loss within it.
  await configureRun(page, { method: 'LoRA', steps: 24, batchSize: 8, evalEvery: 12, evalImages: 48, learningRate: 0.05, augment: false });
  expect(await statusText(page, 'Trainable parameters:')).toContain('Trainable parameters: 4,289 of 154,625 (2.774%)');
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForFinish(page);
  expect(await statusText(page, 'Step ')).toMatch(/Step 24 of 24/);

  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.config.backend).toBe('webgpu');
  expect(metrics.labels).toEqual(['PNEUMONIA']);
  // The finished run is scored on the test split on WebGPU too (the adapter merged, its weights read back).
  expect(metrics.test?.images).toBeGreaterThan(0);
  await expect(page.getByText(/Scored on the whole test split/)).toBeVisible();
  await expect(page.getByText(/device was lost|Training stopped with an error/)).toHaveCount(0);
  const losses = metrics.steps.map((s) => s.loss);
  expect(losses).toHaveLength(24);
  expect(mean(losses.slice(-8))).toBeLessThan(mean(losses.slice(0, 8)));

  // One bar per label, value in [0, 1]; the table beside the chart carries the same numbers.
  const chart = page.getByRole('img', { name: 'Per-label AUROC chart' });
  await expect(chart).toBeVisible();
  await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(metrics.labels.length);
  const rows = page.getByRole('table', { name: /^Validation AUROC per label at step/ }).locator('tr[data-label]');
  await expect(rows).toHaveCount(1);
  const value = Number(await rows.first().getAttribute('data-auroc'));
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(1);
  const last = metrics.evaluations.at(-1)!;
  expect(last.auroc.PNEUMONIA).toBeCloseTo(value, 3);
  await expect(page.getByRole('img', { name: 'Loss chart' })).toBeVisible();
});
