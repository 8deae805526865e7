/**
 * Issue 12, faults survived, in real Chromium: a non-finite loss, a lost WebGPU device, a crashed training worker,
 * storage running out during a checkpoint and during an ingest, two tabs on one run, and a page whose main thread
 * stalls. Faults the page cannot cause by itself are provoked through the `?fault-hooks` test hooks
 * (src/workers/client.ts). A full disk is simulated at the lab's storage layer (src/storage/simulatedQuota.ts): the
 * DevTools protocol's quota override is not enforced for IndexedDB by the Chromium tested here (see that file).
 */
import type { Page } from '@playwright/test';
import { configureRun, downloadJson, expect, loadDemo, statusText, test, waitForFinish, waitForStep, whenStepShown } from './lab';
import type { MetricsLog } from '../src/run/records';

async function backendReady(page: Page, name: string): Promise<void> {
  await expect(page.getByRole('status').filter({ hasText: `Backend: ${name}` }).first()).toBeVisible({ timeout: 120_000 });
}

interface FaultHooks {
  inject(kind: string, bytes?: number | null): Promise<boolean>;
  ingestStorageFull(bytes: number | null): Promise<void>;
}

async function inject(page: Page, kind: 'device-lost' | 'worker-crash' | 'storage-full', bytes?: number | null): Promise<void> {
  await page.evaluate(([k, b]) => (window as unknown as { cxrLabFaults: FaultHooks }).cxrLabFaults.inject(k as string, b as number | null | undefined), [kind, bytes] as const);
}

async function ingestStorageFull(page: Page, bytes: number | null): Promise<void> {
  await page.evaluate((b) => (window as unknown as { cxrLabFaults: FaultHooks }).cxrLabFaults.ingestStorageFull(b), bytes);
}

test('a non-finite loss pauses the run at that step, names the step and learning rate, and it resumes with a lower one', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await backendReady(page, 'wasm');
  await loadDemo(page);
  await configureRun(page, { steps: 30, batchSize: 8, evalEvery: 2, evalImages: 16, learningRate: 1000 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForFinish(page);
  const status = await statusText(page, 'Step ');
  expect(status).toMatch(/stopped: the training loss became (NaN|infinite) at step \d+ \(learning rate [\d.e+]+\)/);
  await expect(page.getByText(/Training paused: .*; its last good checkpoint \(step \d+\) is kept: lower the learning rate and resume\./).first()).toBeVisible();
  const row = page.locator('tr[data-run-id]').first();
  await expect(row).toHaveAttribute('data-status', 'stopped');
  await row.getByRole('textbox', { name: 'Learning rate' }).fill('0.05');
  await row.getByRole('button', { name: 'Resume with this learning rate' }).click();
  await waitForFinish(page);
  await expect(page.locator('tr[data-run-id]').first()).toHaveAttribute('data-status', 'finished');
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.steps.map((s) => s.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(metrics.events.find((e) => e.kind === 'base_lr')).toMatchObject({ from: 1000, to: 0.05 });
  expect(metrics.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
});

test('a lost WebGPU device: the run pauses, the lab says so, moves to WASM and continues from the last checkpoint', async ({ page, watch }) => {
  void watch;
  test.setTimeout(480_000);
  await page.goto('/?backend=webgpu&fault-hooks');
  await backendReady(page, 'webgpu');
  await loadDemo(page);
  await configureRun(page, { steps: 16, batchSize: 4, evalEvery: 4, evalImages: 8 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForStep(page, 6, 400_000);
  await inject(page, 'device-lost');
  await expect(page.getByText(/The WebGPU device was lost at step \d+/).first()).toBeVisible({ timeout: 120_000 });
  await backendReady(page, 'wasm');
  await expect(page.getByText(/the WebGPU device was lost; forced by \?backend=wasm/).first()).toBeVisible();
  await expect(page.getByText(/Resumed ".*" from its checkpoint of step (4|8)\./)).toBeVisible({ timeout: 120_000 });
  await waitForFinish(page, 300_000);
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.config.backend).toBe('wasm');
  expect(metrics.steps.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  expect(metrics.test?.images).toBeGreaterThan(0);
});

test('a crashed training worker (out of memory) is reported; its run shows as interrupted and resumes', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&fault-hooks');
  await backendReady(page, 'wasm');
  await loadDemo(page);
  await configureRun(page, { steps: 60, batchSize: 8, evalEvery: 10, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await whenStepShown(page, 15, { fault: 'worker-crash' });
  await expect(page.getByText(/The training worker stopped \(.+\)\. What was trained up to its last checkpoint is kept/).first()).toBeVisible();
  // The crash is the point of this test: its own error message is expected on the console, nothing else.
  watch.consoleErrors.splice(0, watch.consoleErrors.length, ...watch.consoleErrors.filter((e) => !/memory|allocat|RangeError|Aborted|abort/i.test(e)));
  const row = page.locator('tr[data-run-id]').first();
  await expect(row).toHaveAttribute('data-status', 'interrupted');
  await backendReady(page, 'wasm');
  await row.getByRole('button', { name: 'Resume run' }).click();
  await waitForFinish(page);
  await expect(page.locator('tr[data-run-id]').first()).toHaveAttribute('data-status', 'finished');
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.steps.map((s) => s.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
});

test('storage full while a checkpoint is saved: the run pauses with the numbers, the previous checkpoint is kept, and it finishes once there is room', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm&fault-hooks');
  await backendReady(page, 'wasm');
  await loadDemo(page);
  // Full fine-tuning: every checkpoint holds the whole tiny model and its momentum (about 1.2 MB).
  await configureRun(page, { method: 'Full fine-tuning', steps: 60, batchSize: 8, evalEvery: 10, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await whenStepShown(page, 12, { fault: 'storage-full', bytes: 50_000 });
  // The worker may be a few steps past what the page showed, so the failing checkpoint is the one of step 20 or a later one.
  const full = page.getByText(/Storage is full \(saving the checkpoint of step (\d+); this site stores [\d.]+ MB of [\d.]+ MB allowed\): the run is paused and nothing stored was lost; the checkpoint of step (\d+) is kept/).first();
  await expect(full).toBeVisible({ timeout: 120_000 });
  const [, failed, kept] = /checkpoint of step (\d+);.* checkpoint of step (\d+) is kept/.exec((await full.textContent())!)!.map(Number);
  console.log(`storage full saving the checkpoint of step ${failed}; kept the one of step ${kept}`);
  expect(failed).toBeLessThan(60);
  expect(kept).toBe(failed - 10);
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  const row = page.locator('tr[data-run-id]').first();
  await expect(row).toContainText(/paused/);
  await inject(page, 'storage-full', null);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForFinish(page);
  await expect(page.locator('tr[data-run-id]').first()).toHaveAttribute('data-status', 'finished');
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.steps.map((s) => s.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
});

test('storage full during an ingest: a clean stop with the reason, the images stored before it kept, and the rest added later', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm&fault-hooks');
  await backendReady(page, 'wasm');
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  const progress = page.getByRole('progressbar', { name: 'Ingest progress' });
  await expect(progress).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => Number((await progress.getAttribute('value')) ?? 0), { timeout: 60_000 }).toBeGreaterThan(40);
  await ingestStorageFull(page, 200_000);
  await expect(page.getByText(/Browser storage is full/).first()).toBeVisible({ timeout: 60_000 });
  const stopped = page.getByText(/Ingest stopped after (\d+) images/);
  await expect(stopped).toBeVisible();
  const kept = Number(/after (\d+) images/.exec((await stopped.textContent())!)![1]);
  expect(kept).toBeGreaterThan(40);
  expect(kept).toBeLessThan(500);
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('(incomplete)');
  await ingestStorageFull(page, null);
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  await expect(page.getByText(new RegExp(`Ingested ${500 - kept} images`))).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).not.toContainText('(incomplete)');
});

test('two tabs: the second sees the first one\'s run training and cannot resume, delete or take it over', async ({ page, context, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await backendReady(page, 'wasm');
  await loadDemo(page);
  await configureRun(page, { steps: 400, batchSize: 8, evalEvery: 20, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForStep(page, 25);

  const second = await context.newPage();
  await second.goto('/?backend=wasm');
  await backendReady(second, 'wasm');
  const row = second.locator('tr[data-run-id]').first();
  await expect(row).toHaveAttribute('data-status', 'running');
  await expect(row.getByRole('button', { name: 'Resume run' })).toBeDisabled();
  await expect(row.getByRole('button', { name: 'Delete' })).toBeDisabled();
  // The first tab trains on, undisturbed.
  const before = await waitForStep(page, 30);
  await waitForStep(page, before + 10);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitForFinish(page);
  // Once it stopped, the second tab may resume it (after a refresh of its list).
  await second.reload();
  await backendReady(second, 'wasm');
  await expect(second.locator('tr[data-run-id]').first()).toHaveAttribute('data-status', 'stopped');
  await second.close();
});

test('a page whose main thread stalls (as a hidden, throttled tab\'s does) does not slow the training; the charts catch up', async ({ page, watch }) => {
  void watch;
  // Headless Chromium (and Chromium under Xvfb without a window manager) always reports the page visible, even
  // minimised or behind another tab, so a hidden tab cannot be provoked here. A hidden tab's main thread runs its
  // timers at most once a second; stalling it completely for 6 s is the harsher case of the same thing. The stall is
  // an open alert(), which blocks the page's thread without using a core: a busy loop would take one of the two
  // cores the worker's WASM threads run on, and measure that instead of whether the worker waits for the page.
  await page.goto('/?backend=wasm');
  await backendReady(page, 'wasm');
  await loadDemo(page);
  await configureRun(page, { steps: 300, batchSize: 8, evalEvery: 100, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  const before = await waitForStep(page, 60);
  const dismissed = new Promise<void>((resolve) =>
    page.once('dialog', async (dialog) => {
      // While the alert is open no message handler, timer or redraw runs on the page's thread.
      await new Promise((r) => setTimeout(r, 6_000));
      await dialog.dismiss();
      resolve();
    }),
  );
  await page.evaluate(() => setTimeout(() => alert('stalled'), 0));
  await dismissed;
  await waitForFinish(page);
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  const median = (from: number, to: number) => {
    const xs = metrics.steps.filter((s) => s.step > from && s.step <= to).map((s) => s.ms).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  };
  const whileStalled = metrics.steps.filter((s) => s.step > before + 5 && s.step <= before + 40);
  const normal = median(10, before);
  const stalled = median(before + 5, before + 40);
  console.log(`median ms/step: page running ${normal.toFixed(1)}, page stalled ${stalled.toFixed(1)} (${whileStalled.length} steps)`);
  expect(stalled).toBeLessThan(normal * 2);
  // Everything the worker sent while the page was stalled was drawn afterwards.
  await expect(page.getByRole('status').filter({ hasText: 'Step 300 of 300' })).toBeVisible();
  expect(metrics.steps).toHaveLength(300);
});
