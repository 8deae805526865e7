/**
 * A second page (harness.html) that exposes the lab's numerics checks and benchmarks to Playwright through
 * window.cxrHarness. Each entry is loaded on demand so one page serves every backend.
 */
const harness = {
  async numerics(backend: 'webgpu' | 'wasm' | 'cpu') {
    const { runGoldenChecks } = await import('./numerics');
    return runGoldenChecks(backend);
  },
  async bench(options: Record<string, unknown>) {
    const { runTrainingBench } = await import('./bench');
    return runTrainingBench(options);
  },
};

(globalThis as unknown as { cxrHarness: typeof harness }).cxrHarness = harness;
document.body.dataset.ready = 'true';
