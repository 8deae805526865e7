import { expect, test } from './lab';

test('?backend=webgpu trains on WebGPU (SwiftShader adapter in headless Chromium)', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: webgpu' })).toBeVisible();
});

test('without a parameter the page picks the faster backend and says why', async ({ page, watch }) => {
  void watch;
  await page.goto('/');
  const status = page.getByRole('status').filter({ hasText: 'Backend:' });
  // Headless Chromium only offers SwiftShader, a software fallback adapter: WASM is the faster choice
  // (see docs/benchmarks.md: a tiny-preset step is ~50x slower on SwiftShader WebGPU than on WASM).
  await expect(status).toContainText(/Backend: wasm/);
  await expect(status).toContainText(/software fallback/i);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});
