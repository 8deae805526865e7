/**
 * A second page (harness.html) that exposes the lab's numerics checks and benchmarks to Playwright through
 * window.cxrHarness. Each entry is loaded on demand so one page serves every backend.
 */
const harness = {
  async numerics(backend: 'webgpu' | 'wasm' | 'cpu') {
    const { runGoldenChecks } = await import('./numerics');
    return runGoldenChecks(backend);
  },
  /** Activates a backend as the lab would (self-check included) and describes it. */
  async prepareBackend(backend: 'webgpu' | 'wasm' | 'webgl' | 'cpu', wasmThreads?: number) {
    const { prepareBackend } = await import('./bench');
    return prepareBackend(backend, wasmThreads);
  },
  async bench(options: Record<string, unknown>) {
    const { runTrainingBench } = await import('./bench');
    return runTrainingBench(options);
  },
  /** One ViT training step profiled kernel by kernel on `backend`, activated as the lab does (scripts/profile_browser.mjs). */
  async profileStep(backend: 'webgpu' | 'wasm' | 'webgl' | 'cpu', options: Record<string, unknown>, top = 30) {
    const { prepareBackend } = await import('./bench');
    const { formatStepProfile, profileTrainingStep } = await import('./profileStep');
    await prepareBackend(backend);
    const profile = await profileTrainingStep(options as unknown as import('./profileStep').ProfileOptions);
    return { profile, text: formatStepProfile(profile, top) };
  },
  async benchPaired(options: Record<string, unknown>) {
    const { runPairedBench } = await import('./bench');
    return runPairedBench(options);
  },
  /** Saliency maps (teaching mode) timed per method on `options.backend`, activated as the lab does. */
  async saliencyBench(options: Record<string, unknown>) {
    const { runSaliencyBench } = await import('./saliencyBench');
    return runSaliencyBench(options);
  },
  /** Decode + resize of the files on <input id="bench-files"> with the lab's DecodePool (scripts/bench.mjs). */
  async decodeBench(options: Record<string, unknown>) {
    const { runDecodeBench } = await import('./benchIngest');
    return runDecodeBench(options);
  },
  /** Out-of-distribution guard on the files of <input id="bench-files">: statistics, features, verdicts (scripts/ood_bench.mjs). */
  async oodEval(options: Record<string, unknown>) {
    const { runOodEval } = await import('./oodEval');
    return runOodEval(options);
  },
  /** decode() vs decodeWithStats() on the chosen files: the decode-time cost of the guard's statistics. */
  async oodDecodeSpeed(options: Record<string, unknown>) {
    const { runOodDecodeSpeed } = await import('./oodEval');
    return runOodDecodeSpeed(options);
  },
  /** The demo grid (methods x fractions x seeds) end to end with the lab's trainer service (scripts/bench.mjs). */
  async gridBench(options: Record<string, unknown>) {
    const { runGridBench } = await import('./gridBench');
    return runGridBench(options);
  },
  /** Scale benchmark (scripts/bench.mjs --scale): adds its folder / files inputs and starts the lab's client. */
  async scaleInputs() {
    const { scaleInputs } = await import('./scaleBench');
    return scaleInputs();
  },
  /** The lab's ingest of the files on a scale input, with images/s, heap samples and IndexedDB bytes per image. */
  async scaleIngest(options: import('./scaleBench').ScaleIngestOptions) {
    const { runScaleIngest } = await import('./scaleBench');
    return runScaleIngest(options);
  },
  /** A stored dataset's train split streamed by BatchStream with a cheap consumer, with heap samples. */
  async scaleStream(options: import('./scaleBench').ScaleStreamOptions) {
    const { runScaleStream } = await import('./scaleBench');
    return runScaleStream(options);
  },
  /** Starts the trainer's backend before the scale run's first heap sample. */
  async scaleTrainPrepare(backend?: import('./scaleBench').ScaleTrainOptions['backend']) {
    const { prepareScaleTrain } = await import('./scaleBench');
    return prepareScaleTrain(backend);
  },
  /** A run of the lab's trainer on a stored dataset, with step times and the trainer's data-wait share. */
  async scaleTrain(options: import('./scaleBench').ScaleTrainOptions) {
    const { runScaleTrain } = await import('./scaleBench');
    return runScaleTrain(options);
  },
  /** The last step of the running scale training (scripts/bench_scale.mjs samples the heap at step marks). */
  async scaleTrainProgress() {
    const { scaleTrainProgress } = await import('./scaleBench');
    return scaleTrainProgress();
  },
  /** ingestDataset into IndexedDB, then training steps fed by BatchStream (scripts/bench.mjs). */
  async streamBench(options: Record<string, unknown>) {
    const { runStreamBench } = await import('./benchIngest');
    return runStreamBench(options);
  },
};

(globalThis as unknown as { cxrHarness: typeof harness }).cxrHarness = harness;
document.body.dataset.ready = 'true';
