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
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; description?: string; vendor?: string } } | null> } }).gpu;
    const a = gpu ? await gpu.requestAdapter() : null;
    if (!a) return 'none';
    const text = `${a.info?.vendor ?? ''} ${a.info?.description ?? ''}`;
    return a.isFallbackAdapter || a.info?.isFallbackAdapter || /swiftshader/i.test(text) ? 'software' : 'hardware';
  });
  if (adapter === 'hardware') {
    await expect(status).toContainText(/Backend: webgpu/);
  } else {
    // Headless Chromium here only offers SwiftShader, a software fallback adapter: WASM is the faster choice
    // (a tiny-preset step is ~50x slower on SwiftShader WebGPU than on WASM; see docs/benchmarks.md).
    await expect(status).toContainText(/Backend: wasm/);
    await expect(status).toContainText(adapter === 'software' ? /software fallback/i : /not available/i);
    // One XNNPACK thread per core (tfjs alone would give hardwareConcurrency / 2; src/lab/backend.ts).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await expect(status).toContainText(`SIMD + ${Math.min(8, cores)} XNNPACK threads`);
  }
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});
