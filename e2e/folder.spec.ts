import path from 'node:path';
import { configureRun, downloadJson, expect, test, waitForFinish } from './lab';
import type { MetricsLog } from '../src/run/records';

const FOLDER = path.resolve('e2e/fixtures/xray-folder');

async function trainBriefly(page: import('@playwright/test').Page) {
  await configureRun(page, { method: 'LoRA', steps: 6, batchSize: 8, evalEvery: 3, evalImages: 12 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForFinish(page);
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.steps).toHaveLength(6);
  expect(metrics.evaluations.length).toBeGreaterThan(0);
}

test('a real folder chosen with "Choose dataset folder" is ingested, trains, and survives a reload', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=webgpu');
  await page.getByLabel('Choose dataset folder').setInputFiles(FOLDER);
  await expect(page.getByText(/Ingested 44 images/)).toBeVisible({ timeout: 60_000 });
  // The train/ val/ level became the split: 32 train and 12 val images.
  await expect(page.getByRole('columnheader', { name: 'train (32)' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'val (12)' })).toBeVisible();
  await trainBriefly(page);

  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('xray-folder');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled();
  await expect(page.getByRole('progressbar', { name: 'Ingest progress' })).toHaveCount(0);
});

test('the same folder dropped on the drop zone (a real drag and drop through the DevTools protocol) works too', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=webgpu');
  const zone = page.getByLabel('Drop a dataset folder here');
  const box = (await zone.boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: [FOLDER], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
  await expect(page.getByText(/Ingested 44 images/)).toBeVisible({ timeout: 60_000 });
  await trainBriefly(page);
});
