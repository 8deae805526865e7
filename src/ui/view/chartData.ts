/**
 * Turns the trainer's records into the rows the charts draw. Pure (no React, no recharts), tested in
 * tests/ui/chartData.test.ts. Charts know nothing about the model; they only see these rows.
 */
import { formatAuroc } from './format';
import type { EvaluationRecord, RunEvent, StepRecord } from '../../run/records';

/**
 * Debiased exponential moving average, as TensorBoard's scalar smoothing: s_t = w*s_{t-1} + (1-w)*x_t, divided by
 * (1 - w^t) so the first points are not pulled towards 0 (the same bias correction as Adam, Kingma & Ba 2015, §3).
 * Non-finite inputs (a NaN loss) are passed through as NaN without poisoning the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`EMA weight must be in [0, 1), got ${weight}`);
  const out: number[] = [];
  let last = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(Number.NaN);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out.push(last / (1 - weight ** count));
  }
  return out;
}

/**
 * Keeps at most `maxPoints` rows by taking every k-th row, always keeping the last one (the newest value is what
 * the user watches). Long runs would otherwise make every chart update cost O(steps) SVG nodes.
 */
export function downsample<T>(rows: readonly T[], maxPoints: number): T[] {
  if (maxPoints < 2) throw new Error('downsample needs maxPoints >= 2');
  if (rows.length <= maxPoints) return rows.slice();
  const stride = Math.ceil(rows.length / (maxPoints - 1));
  const out: T[] = [];
  for (let i = 0; i < rows.length - 1; i += stride) out.push(rows[i]);
  out.push(rows[rows.length - 1]);
  return out;
}

export interface LossRow {
  step: number;
  trainLoss: number;
  smoothedLoss: number;
}

/** Training loss per step with its EMA; the EMA is computed on every step before downsampling. */
export function lossRows(steps: readonly StepRecord[], weight: number, maxPoints: number): LossRow[] {
  const smoothed = emaSmooth(
    steps.map((s) => s.loss),
    weight,
  );
  return downsample(
    steps.map((s, i) => ({ step: s.step, trainLoss: s.loss, smoothedLoss: smoothed[i] })),
    maxPoints,
  );
}

export interface ValLossRow {
  step: number;
  valLoss: number;
}

export function valLossRows(evaluations: readonly EvaluationRecord[]): ValLossRow[] {
  return evaluations.filter((e) => e.split === 'val').map((e) => ({ step: e.step, valLoss: e.loss }));
}

export interface LrRow {
  step: number;
  lr: number;
}

export function lrRows(steps: readonly StepRecord[], maxPoints: number): LrRow[] {
  return downsample(
    steps.map((s) => ({ step: s.step, lr: s.lr })),
    maxPoints,
  );
}

export interface MacroRow {
  step: number;
  /** null keeps a gap in the line: an undefined macro AUROC is not drawn as 0.5. */
  macroAuroc: number | null;
}

export function macroAurocRows(evaluations: readonly EvaluationRecord[]): MacroRow[] {
  return evaluations.filter((e) => e.split === 'val').map((e) => ({ step: e.step, macroAuroc: e.macroAuroc }));
}

/** The newest evaluation of a split (evaluations arrive in step order, but do not rely on it). */
export function latestEvaluation(evaluations: readonly EvaluationRecord[], split: EvaluationRecord['split'] = 'val'): EvaluationRecord | undefined {
  let best: EvaluationRecord | undefined;
  for (const e of evaluations) if (e.split === split && (!best || e.step >= best.step)) best = e;
  return best;
}

export interface AurocBar {
  label: string;
  auroc: number | null;
  /** What the axis and the table print: "0.734" or "n/a". */
  text: string;
}

/** One row per label in the dataset's label order; a label the evaluation has no value for is n/a. */
export function aurocBars(labels: readonly string[], evaluation: EvaluationRecord | undefined): AurocBar[] {
  return labels.map((label) => {
    const raw = evaluation?.auroc[label];
    const auroc = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    return { label, auroc, text: formatAuroc(auroc) };
  });
}

export interface EventMarker {
  step: number;
  text: string;
  /** Stable React key: two events can share a step (rank and alpha changed together). */
  key: string;
}

const MARKED_EVENTS: Partial<Record<RunEvent['kind'], string>> = {
  lora_rank: 'r',
  lora_alpha: 'α',
  eval_every: 'eval every',
};

/** Reference-line labels for the loss chart: slider changes ("r 4→8", "α 32→16"), not pause/resume. */
export function eventMarkers(events: readonly RunEvent[]): EventMarker[] {
  const out: EventMarker[] = [];
  events.forEach((e, i) => {
    const name = MARKED_EVENTS[e.kind];
    if (name === undefined) return;
    out.push({ step: e.step, text: `${name} ${e.from ?? '?'}→${e.to ?? '?'}`, key: `${e.kind}-${e.step}-${i}` });
  });
  return out;
}
