/**
 * Typed loader for tests/fixtures/golden/eval_metrics.json (written by scripts/golden_eval_metrics.py from
 * scikit-learn and NumPy): calibration, ROC / confusion, bootstrap interval and percentile goldens.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CalibrationGolden {
  ece: number | null;
  count: number;
  /** Indices of the non-empty bins, and sklearn's calibration_curve values for them. */
  binIndex: number[];
  binCount: number[];
  fractionPositive: number[];
  meanPredicted: number[];
}

export interface CurveGolden {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

export interface ConfusionGolden {
  threshold: number;
  tn: number;
  fp: number;
  fn: number;
  tp: number;
  sensitivity: number | null;
  specificity: number | null;
}

export interface BootstrapGolden {
  name: string;
  seed: number;
  resamples: number;
  firstDraws: number[];
  firstMacros: number[];
  lo: number | null;
  hi: number | null;
  median: number | null;
  resamplesUsed: number;
  resamplesSkipped: number;
  /** Absent when the case runs on the shared evaluation set. */
  numLabels?: number;
  scores?: number[];
  targets?: number[];
  mask?: number[];
}

export interface EvalMetricsGolden {
  versions: { sklearn: string; numpy: string };
  evaluation: { numLabels: number; scores: number[]; targets: number[]; mask: number[] };
  calibration: {
    perLabel: CalibrationGolden[];
    meanEce: number | null;
    cases: ({ name: string; probs: number[]; targets: number[]; mask: number[] | null; numBins: number } & CalibrationGolden)[];
  };
  roc: {
    perLabel: (CurveGolden | null)[];
    cases: {
      name: string;
      /** null stands for NaN (JSON has none). */
      scores: (number | null)[];
      targets: number[];
      mask: number[] | null;
      curve: CurveGolden | null;
      confusion: ConfusionGolden[];
    }[];
  };
  bootstrap: BootstrapGolden[];
  percentile: { sorted: number[]; q: number[]; percentiles: number[] }[];
}

export function loadEvalMetrics(): EvalMetricsGolden {
  const path = fileURLToPath(new URL('../fixtures/golden/eval_metrics.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as EvalMetricsGolden;
}
