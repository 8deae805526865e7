/**
 * The PyTorch goldens (scripts/make_golden.py) on the browser backends: logits and loss within 1e-5 relative,
 * gradients and optimizer updates within 1e-4, and the start-up self-check, on WebGPU (Chromium launched with
 * --enable-unsafe-webgpu by playwright.config.ts; here that is SwiftShader) and on WASM.
 * The page is /harness.html; src/harness/main.ts exposes runGoldenChecks as window.cxrHarness.numerics.
 */
import { expect, test } from './lab';
import type { GoldenCheck, HarnessBackend } from '../src/harness/numerics';

/** What this spec needs of window.cxrHarness (src/harness/main.ts: numerics(backend) = runGoldenChecks(backend)). */
type HarnessWindow = { cxrHarness?: { numerics(backend: HarnessBackend): Promise<GoldenCheck[]> } };

for (const backend of ['webgpu', 'wasm'] as const) {
  test(`PyTorch goldens hold on ${backend}`, async ({ page, watch }, testInfo) => {
    void watch;
    // SwiftShader runs the whole set in about 90 s on this machine's two shared cores; WASM in a few seconds.
    test.setTimeout(backend === 'webgpu' ? 300_000 : 120_000);
    await page.goto('/harness.html');
    await page.waitForFunction(() => typeof (window as unknown as HarnessWindow).cxrHarness?.numerics === 'function');
    const checks = await page.evaluate((b) => (window as unknown as HarnessWindow).cxrHarness!.numerics(b), backend);
    const table = checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.maxRelError.toExponential(2)} <= ${c.tolerance.toExponential(1)}  ${c.name}`).join('\n');
    await testInfo.attach(`numerics-${backend}.txt`, { body: table, contentType: 'text/plain' });
    console.log(`numerics on ${backend}:\n${table}`);
    expect(checks.length).toBeGreaterThanOrEqual(32);
    for (const c of checks) expect.soft(c.ok, `${c.name}: relative error ${c.maxRelError} exceeds ${c.tolerance}`).toBe(true);
  });
}
