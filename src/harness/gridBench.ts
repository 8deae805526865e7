/**
 * The demo grid end to end for `npm run bench` (issue 11): the bundled demo ingested into IndexedDB, then the lab's
 * own trainer service runs a methods x fractions x seeds grid on the tiny preset (every run kept, checkpointed and
 * scored on the test split, as on the page). Reports the grid's wall time, the time between runs (everything that is
 * not a run training or being scored: building the next model, opening its data, storing summaries) as a share of it,
 * and the storage each run writes.
 */
import { loadDemo } from '../data/fileSource';
import { ingestDataset } from '../data/ingest';
import { TrainerService } from '../lab/trainer';
import { recipeValues } from '../run/recipes';
import { STUDY_LORA, type Method } from '../run/loraConfig';
import type { GridSpec } from '../run/grid';
import type { TrainerMessage } from '../run/records';
import { DecodePool } from '../workers/decodePool';

export interface GridBenchOptions {
  methods?: Method[];
  fractions?: number[];
  seeds?: number;
  steps?: number;
  batchSize?: number;
}

export interface GridBenchResult {
  runs: number;
  steps: number;
  batchSize: number;
  gridSeconds: number;
  /** Sum over runs of the time from a run's first step to its test score. */
  inRunSeconds: number;
  overheadSeconds: number;
  overheadShare: number;
  /** Checkpoint bytes per run (mean), and what navigator.storage.estimate grew by per run. */
  checkpointBytesPerRun: number;
  estimateBytesPerRun: number | null;
  meanTestMacroAuroc: Record<string, number | null>;
}

export async function runGridBench(o: GridBenchOptions = {}): Promise<GridBenchResult> {
  const methods = o.methods ?? ['lora', 'fft', 'linear'];
  const fractions = o.fractions ?? [0.01, 0.1, 1];
  const seeds = o.seeds ?? 3;
  // The page's defaults (200 steps, an evaluation of up to 128 images every 20), except the batch: 1 % of the
  // demo's training split is a handful of images, so the page's batch of 16 would leave the 1 % cells out.
  const steps = o.steps ?? 200;
  const batchSize = o.batchSize ?? 4;
  const demo = await loadDemo('/demo/');
  const pool = new DecodePool();
  const ingested = await ingestDataset(demo.files, { name: demo.name, decode: (blob, size) => pool.decode(blob, size) }).finally(() => pool.terminate());
  const trainer = new TrainerService();
  await trainer.initBackend('wasm');
  const spec: GridSpec = {
    name: 'bench grid',
    datasetId: ingested.datasetId,
    methods,
    fractions,
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
    ranks: {},
    recipe: 'mrm-sgd',
    base: {
      preset: 'tiny', lora: { ...STUDY_LORA }, initialisation: 'pretrained-demo', ...recipeValues('mrm-sgd', 'lora', steps),
      totalSteps: steps, batchSize, evalEvery: 20, evalMaxImages: 128, augment: true,
    },
  };
  const before = await navigator.storage.estimate().catch(() => undefined);
  let runStarted = 0;
  let inRun = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const onMessage = (m: TrainerMessage) => {
    if (m.type === 'state' && m.state === 'running' && runStarted === 0) runStarted = performance.now();
    if (m.type === 'test' && runStarted > 0) {
      inRun += performance.now() - runStarted;
      runStarted = 0;
    }
    if (m.type === 'grid' && (m.grid.status === 'finished' || m.grid.status === 'error' || m.grid.status === 'cancelled')) finished();
  };
  const started = performance.now();
  const grid = await trainer.startGrid(spec, onMessage);
  await done;
  const gridMs = performance.now() - started;
  const after = await navigator.storage.estimate().catch(() => undefined);
  const runs = (await trainer.listRuns()).filter((r) => r.gridId === grid.id);
  const byMethod: Record<string, number | null> = {};
  for (const m of methods) {
    const scores = runs.filter((r) => r.config.method === m && r.test?.macroAuroc != null).map((r) => r.test!.macroAuroc!);
    byMethod[m] = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  }
  return {
    runs: runs.length,
    steps,
    batchSize,
    gridSeconds: gridMs / 1000,
    inRunSeconds: inRun / 1000,
    overheadSeconds: (gridMs - inRun) / 1000,
    overheadShare: (gridMs - inRun) / gridMs,
    checkpointBytesPerRun: runs.reduce((n, r) => n + r.checkpointBytes, 0) / Math.max(1, runs.length),
    estimateBytesPerRun: before?.usage !== undefined && after?.usage !== undefined ? (after.usage - before.usage) / Math.max(1, runs.length) : null,
    meanTestMacroAuroc: byMethod,
  };
}
