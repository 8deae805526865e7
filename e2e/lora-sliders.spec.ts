import { configureRun, downloadJson, expect, loadDemo, statusText, test, waitForFinish, waitForStep } from './lab';
import type { MetricsLog } from '../src/run/records';

test('moving rank 4 -> 8 and alpha mid-run changes the running training without restarting it', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: webgpu' })).toBeVisible();
  await loadDemo(page);
  const rank = page.getByRole('slider', { name: 'LoRA rank' });
  const alpha = page.getByRole('slider', { name: 'LoRA alpha' });
  // Keyboard: arrow keys step by 1 and the count follows at once.
  await rank.focus();
  await page.keyboard.press('ArrowRight');
  await expect(rank).toHaveAttribute('aria-valuenow', '9');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect(rank).toHaveAttribute('aria-valuenow', '4');
  // tiny preset, 1 label: LoRA on q,v of 2 blocks = 2*2*r*(64+64), fc_norm 128, head 65
  expect(await statusText(page, 'Trainable parameters:')).toContain('Trainable parameters: 2,241 of 152,577 (1.469%)');
  await configureRun(page, { method: 'LoRA', steps: 30, batchSize: 8, evalEvery: 1000, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForStep(page, 6);

  await rank.fill('8');
  await expect(rank).toHaveAttribute('aria-valuenow', '8');
  await expect(page.getByRole('status').filter({ hasText: 'Trainable parameters: 4,289 of 154,625 (2.774%)' })).toBeVisible();
  await alpha.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(alpha).toHaveAttribute('aria-valuenow', '31');
  const stepAtChange = Number(/Step (\d+)/.exec(await statusText(page, 'Step '))![1]);

  await waitForFinish(page);
  const metrics = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(metrics.steps.at(-1)!.step).toBe(30); // the same run went on to the end
  expect(metrics.steps.length).toBe(30);
  const grow = metrics.events.find((e) => e.kind === 'lora_rank')!;
  expect(grow).toMatchObject({ from: 4, to: 8 });
  expect(grow.step).toBeGreaterThanOrEqual(6);
  expect(grow.step).toBeLessThanOrEqual(stepAtChange + 1);
  // Growing the rank keeps the model's output: same loss on the fixed probe batch.
  expect(Math.abs(grow.probeLossAfter! - grow.probeLossBefore!)).toBeLessThan(1e-5);
  const alphaEvent = metrics.events.find((e) => e.kind === 'lora_alpha')!;
  expect(alphaEvent).toMatchObject({ from: 32, to: 31 });
  expect(metrics.params).toEqual({ trainable: 4289, total: 154625 });
  // Training continued after the change: steps after it exist and are finite.
  const after = metrics.steps.filter((s) => s.step > grow.step);
  expect(after.length).toBeGreaterThan(5);
  for (const s of after) expect(Number.isFinite(s.loss)).toBe(true);
  // A marker per slider change on the loss chart.
  await expect(page.getByRole('img', { name: 'Loss chart' }).locator('.recharts-reference-line')).toHaveCount(2);
});
