/**
 * Fake stored runs for the results-table tests: 3 methods x 2 label fractions (1 %, 100 %) x 2 seeds, with values
 * chosen so every mean, sd and winner can be worked out by hand (see STUDY below). One label name holds a comma
 * (CSV quoting), one LoRA run has an undefined AUROC for it (null-safe means), and one linear-probe run at 100 % is
 * still running (unscored).
 */
import type { Method } from '../../src/run/loraConfig';
import type { RunConfig, TestScore } from '../../src/run/records';
import type { RunSummary } from '../../src/run/runs';

export const LABELS = ['Atelectasis', 'Effusion, "pleural"'];
const [A, E] = LABELS;

const BASE_CONFIG: RunConfig = {
  datasetId: 'ds1',
  method: 'lora',
  preset: 'tiny',
  lora: { r: 4, lora_alpha: 32, lora_dropout: 0.1, use_rslora: false, targets: { qkv: ['q', 'v'], proj: false, fc1: false, fc2: false } },
  initialisation: 'random',
  optimizer: 'sgd',
  baseLr: 0.05,
  scaleLrByBatch: true,
  minLr: 1e-6,
  momentum: 0.9,
  weightDecay: 0,
  layerDecay: 1,
  warmupSteps: 5,
  totalSteps: 50,
  batchSize: 8,
  evalEvery: 10,
  evalMaxImages: 64,
  dropPath: 0.1,
  augment: true,
  seed: 0,
  trainFraction: 0.01,
};

/** Macro AUROC = unweighted mean of the labels whose AUROC exists (as the trainer computes it). */
export function score(auroc: Record<string, number | null>, meanEce = 0.06): TestScore {
  const present = Object.values(auroc).filter((v): v is number => v !== null);
  const macro = present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
  return {
    step: 40,
    images: 200,
    loss: 0.4,
    auroc,
    macroAuroc: macro,
    ece: { [A]: meanEce - 0.01, [E]: meanEce + 0.01 },
    meanEce,
    macroAurocCi: { lo: macro === null ? null : macro - 0.03, hi: macro === null ? null : macro + 0.03, median: macro, resamples: 1000 },
  };
}

const COSTS: Record<Method, { trainable: number; total: number; optimizerStateBytes: number }> = {
  lora: { trainable: 1_000, total: 101_000, optimizerStateBytes: 8_000 },
  fft: { trainable: 100_000, total: 100_000, optimizerStateBytes: 800_000 },
  linear: { trainable: 500, total: 100_000, optimizerStateBytes: 4_000 },
};

export interface FakeRun {
  method: Method;
  fraction?: number;
  seed: number;
  test?: TestScore;
  id?: string;
  updatedAt?: string;
  gridId?: string;
  datasetId?: string;
  msPerStep?: number;
  wallMs?: number;
}

export function fakeRun(f: FakeRun): RunSummary {
  const id = f.id ?? `${f.method}-${f.fraction ?? 1}-${f.seed}`;
  const cost = COSTS[f.method];
  const datasetId = f.datasetId ?? 'ds1';
  return {
    id,
    name: `demo-${id}`,
    source: 'browser',
    datasetId,
    datasetName: datasetId === 'ds1' ? 'Demo set' : `Set ${datasetId}`,
    labels: LABELS,
    config: { ...BASE_CONFIG, datasetId, method: f.method, seed: f.seed, trainFraction: f.fraction },
    status: f.test ? 'finished' : 'running',
    step: f.test ? 50 : 20,
    resumeStep: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: f.updatedAt ?? '2026-12-01T01:00:00.000Z',
    wallMs: f.wallMs ?? 60_000,
    test: f.test,
    params: { trainable: cost.trainable, total: cost.total },
    optimizerStateBytes: cost.optimizerStateBytes,
    resources:
      f.msPerStep === undefined
        ? undefined
        : {
            step: 40,
            params: { trainable: cost.trainable, total: cost.total },
            optimizerStateBytes: cost.optimizerStateBytes,
            numTensors: 100,
            tensorBytes: 1e6,
            backendBytes: 2e6,
            msPerStep: f.msPerStep,
            imagesPerSec: (8 * 1000) / f.msPerStep,
            dataWaitShare: 0.1,
            microBatch: 8,
          },
    gridId: f.gridId,
    checkpointBytes: 0,
  };
}

/**
 * The study set. Macro AUROC per run (mean of the existing label AUROCs):
 *   1 %:   LoRA 0.70, 0.74 (seed 1: Effusion undefined, macro = Atelectasis)  mean 0.72, sd 0.04/sqrt(2)
 *          FFT 0.69, 0.71  mean 0.70, sd 0.02/sqrt(2)      linear 0.60, 0.64  mean 0.62
 *   100 %: LoRA 0.80, 0.82 mean 0.81      FFT 0.83, 0.85 mean 0.84      linear 0.75 (seed 1 still running)
 * So LoRA wins at 1 %, FFT at 100 %.
 */
export function studyRuns(): RunSummary[] {
  return [
    fakeRun({ method: 'lora', fraction: 0.01, seed: 0, test: score({ [A]: 0.68, [E]: 0.72 }, 0.05), msPerStep: 100, wallMs: 60_000 }),
    fakeRun({ method: 'lora', fraction: 0.01, seed: 1, test: score({ [A]: 0.74, [E]: null }, 0.07), msPerStep: 125, wallMs: 66_000 }),
    fakeRun({ method: 'fft', fraction: 0.01, seed: 0, test: score({ [A]: 0.69, [E]: 0.69 }) }),
    fakeRun({ method: 'fft', fraction: 0.01, seed: 1, test: score({ [A]: 0.7, [E]: 0.72 }) }),
    fakeRun({ method: 'linear', fraction: 0.01, seed: 0, test: score({ [A]: 0.6, [E]: 0.6 }) }),
    fakeRun({ method: 'linear', fraction: 0.01, seed: 1, test: score({ [A]: 0.62, [E]: 0.66 }) }),
    fakeRun({ method: 'lora', seed: 0, test: score({ [A]: 0.79, [E]: 0.81 }) }),
    fakeRun({ method: 'lora', seed: 1, test: score({ [A]: 0.82, [E]: 0.82 }) }),
    fakeRun({ method: 'fft', seed: 0, test: score({ [A]: 0.83, [E]: 0.83 }) }),
    fakeRun({ method: 'fft', seed: 1, test: score({ [A]: 0.84, [E]: 0.86 }) }),
    fakeRun({ method: 'linear', seed: 0, test: score({ [A]: 0.74, [E]: 0.76 }) }),
    fakeRun({ method: 'linear', seed: 1 }),
  ];
}
