/**
 * Typed loaders for the PyTorch goldens in tests/fixtures/golden (written by scripts/make_golden.py).
 * Read with fs + JSON.parse: importing megabyte JSON files would make tsc infer literal types for them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ForwardGolden, OptimizerGolden } from '../../src/harness/numerics';
import type { GoldenTensor } from '../../src/train/selfCheck';

export type { ForwardGolden, OptimizerGolden, OptimizerSettings } from '../../src/harness/numerics';

export interface MetricsGolden {
  auroc: {
    binary: { name: string; scores: number[]; targets: number[]; mask: number[] | null; auroc: number | null }[];
    multiLabel: { numLabels: number; scores: number[]; targets: number[]; mask: number[]; perLabel: (number | null)[]; macro: number | null };
  };
  schedule: {
    baseLr: number; batchSize: number; peakLr: number; minLr: number; warmupEpochs: number; epochs: number;
    itersPerEpoch: number; steps: number[]; lrs: number[];
  }[];
  lowRank: {
    name: string; r: number; lora_alpha: number; scaling: number; lora_A: GoldenTensor; lora_B: GoldenTensor;
    singularValues: number[]; truncationErrors: number[];
  }[];
}

export const FORWARD_FIXTURES = ['vit_gray_lora_qv', 'vit_rgb_lora_wide', 'vit_rgb_lora_k_rslora'] as const;

function load<T>(name: string): T {
  const path = fileURLToPath(new URL(`../fixtures/golden/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const loadForward = (name: (typeof FORWARD_FIXTURES)[number]) => load<ForwardGolden>(name);
export const loadOptimizer = () => load<OptimizerGolden>('optimizer_steps');
export const loadMetrics = () => load<MetricsGolden>('metrics');
