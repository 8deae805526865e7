/**
 * Issue 12, long WebGPU runs: the bytes the WebGPU backend has really allocated (its buffers in use plus its pool
 * of freed ones, numBytesAllocatedInGPU) stay flat across LoRA rank changes and from one run to the next, where
 * tfjs-webgpu alone keeps every size it ever used (src/backends/webgpuPool.ts). SwiftShader is slow, so this run is
 * short; `npm run bench:long-webgpu` (scripts/bench_long_webgpu.mjs) runs the 1,000-step version.
 */
import type { Page } from '@playwright/test';
import { configureRun, expect, loadDemo, test, waitForFinish, waitForStep } from './lab';

interface Sample {
  step: number;
  bytes: number;
  tensors: number;
}

/** The latest resource sample the page shows (step 0 while the run has none yet). */
async function sample(page: Page): Promise<Sample> {
  const dl = page.locator('dl.resources');
  if ((await dl.count()) === 0) return { step: 0, bytes: 0, tensors: 0 };
  const read = async (name: string) => Number((await dl.getAttribute(name, { timeout: 1_000 }).catch(() => null)) ?? 0);
  return { step: await read('data-step'), bytes: await read('data-backend-bytes'), tensors: await read('data-num-tensors') };
}

async function sampleAfter(page: Page, step: number): Promise<Sample> {
  await waitForStep(page, step, 400_000);
  await expect.poll(async () => (await sample(page)).step, { timeout: 120_000 }).toBeGreaterThanOrEqual(step);
  return sample(page);
}

test('WebGPU: allocated bytes stay flat across three rank changes and a method change between runs', async ({ page, watch }) => {
  void watch;
  test.setTimeout(900_000);
  await page.goto('/?backend=webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: webgpu' })).toBeVisible({ timeout: 120_000 });
  await loadDemo(page);
  const rank = page.getByRole('slider', { name: 'LoRA rank' });
  await configureRun(page, { method: 'LoRA', steps: 30, batchSize: 1, evalEvery: 1000, evalImages: 2 });
  await page.getByRole('button', { name: 'Start training' }).click();
  const early = await sampleAfter(page, 5);
  for (const [at, r] of [[6, '16'], [12, '4'], [18, '8']] as const) {
    await waitForStep(page, at, 400_000);
    await rank.fill(r);
  }
  const late = await sampleAfter(page, 26);
  await waitForFinish(page, 400_000);
  console.log(`LoRA run: step ${early.step} ${early.bytes} B / ${early.tensors} tensors; step ${late.step} (rank back to 8) ${late.bytes} B / ${late.tensors} tensors`);
  expect(late.tensors).toBe(early.tensors);
  expect(late.bytes).toBeLessThanOrEqual(early.bytes * 1.1);

  await configureRun(page, { method: 'Full fine-tuning', steps: 14, batchSize: 1, evalEvery: 1000, evalImages: 2 });
  await page.getByRole('button', { name: 'Start training' }).click();
  const fftEarly = await sampleAfter(page, 5);
  const fftLate = await sampleAfter(page, 12);
  await waitForFinish(page, 400_000);
  console.log(`FFT run: step ${fftEarly.step} ${fftEarly.bytes} B; step ${fftLate.step} ${fftLate.bytes} B`);
  expect(fftLate.bytes).toBeLessThanOrEqual(fftEarly.bytes * 1.1);
});
