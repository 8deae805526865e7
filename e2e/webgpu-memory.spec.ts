/**
 * Issue 12, long WebGPU runs: the bytes the WebGPU backend has really allocated (its buffers in use plus its pool
 * of freed ones, numBytesAllocatedInGPU) stay flat across LoRA rank changes and from one run to the next, where
 * tfjs-webgpu alone keeps every size it ever used (src/backends/webgpuPool.ts). SwiftShader is slow, so this run is
 * short; `npm run bench -- --long-webgpu` runs the 1,000-step version.
 */
import type { Page } from '@playwright/test';
import { configureRun, expect, loadDemo, test, waitForFinish, waitForStep } from './lab';

interface Sample {
  step: number;
  bytes: number;
  tensors: number;
}

async function sample(page: Page): Promise<Sample> {
  const dl = page.locator('dl.resources');
  return {
    step: Number(await dl.getAttribute('data-step')),
    bytes: Number(await dl.getAttribute('data-backend-bytes')),
    tensors: Number(await dl.getAttribute('data-num-tensors')),
  };
}

async function sampleAfter(page: Page, step: number): Promise<Sample> {
  await waitForStep(page, step, 400_000);
  await expect.poll(async () => (await sample(page)).step, { timeout: 60_000 }).toBeGreaterThanOrEqual(step);
  return sample(page);
}

test('WebGPU: allocated bytes stay flat across three rank changes and a method change between runs', async ({ page, watch }) => {
  void watch;
  test.setTimeout(900_000);
  await page.goto('/?backend=webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: webgpu' })).toBeVisible({ timeout: 120_000 });
  await loadDemo(page);
  const rank = page.getByRole('slider', { name: 'LoRA rank' });
  await configureRun(page, { method: 'LoRA', steps: 44, batchSize: 2, evalEvery: 1000, evalImages: 4 });
  await page.getByRole('button', { name: 'Start training' }).click();
  const early = await sampleAfter(page, 8);
  for (const [at, r] of [[10, '16'], [20, '4'], [30, '8']] as const) {
    await waitForStep(page, at, 400_000);
    await rank.fill(r);
  }
  const late = await sampleAfter(page, 40);
  await waitForFinish(page, 400_000);
  console.log(`LoRA run: step ${early.step} ${early.bytes} B / ${early.tensors} tensors; step ${late.step} (rank back to 8) ${late.bytes} B / ${late.tensors} tensors`);
  expect(late.tensors).toBe(early.tensors);
  expect(late.bytes).toBeLessThanOrEqual(early.bytes * 1.1);

  await configureRun(page, { method: 'Full fine-tuning', steps: 24, batchSize: 2, evalEvery: 1000, evalImages: 4 });
  await page.getByRole('button', { name: 'Start training' }).click();
  const fftEarly = await sampleAfter(page, 8);
  const fftLate = await sampleAfter(page, 22);
  await waitForFinish(page, 400_000);
  console.log(`FFT run: step ${fftEarly.step} ${fftEarly.bytes} B; step ${fftLate.step} ${fftLate.bytes} B`);
  expect(fftLate.bytes).toBeLessThanOrEqual(fftEarly.bytes * 1.1);
});
