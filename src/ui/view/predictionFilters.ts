/**
 * The predictions grid: which evaluated images to show, by label and by outcome at the page's threshold
 * (predicted positive means probability >= threshold, as the ROC view), a page at a time. With "any label", an image
 * is correct when every label that counts for it is called right, and a false positive (negative) when at least one
 * label is; entries masked out ("ignore") count nowhere. Pure; tested in tests/ui/predictionFilters.test.ts.
 */
import type { RunPredictions } from '../../run/predictions';

export type Outcome = 'all' | 'correct' | 'falsePositive' | 'falseNegative';

export const OUTCOME_NAMES: Record<Outcome, string> = {
  all: 'All images',
  correct: 'Correct',
  falsePositive: 'False positives',
  falseNegative: 'False negatives',
};

/** One entry's call: true/false positive/negative, or ignored (mask 0). */
export type Call = 'tp' | 'tn' | 'fp' | 'fn' | 'ignored';

export function callOf(score: number, target: number, mask: number, threshold: number): Call {
  if (!(mask > 0)) return 'ignored';
  const positive = score >= threshold;
  if (target > 0.5) return positive ? 'tp' : 'fn';
  return positive ? 'fp' : 'tn';
}

export interface GridFilter {
  /** A label index, or null for any label. */
  label: number | null;
  outcome: Outcome;
  threshold: number;
}

function calls(p: RunPredictions, row: number, label: number | null, threshold: number): Call[] {
  const k = p.labels.length;
  const labels = label === null ? p.labels.map((_, l) => l) : [label];
  return labels.map((l) => callOf(p.scores[row * k + l], p.targets[row * k + l], p.masks[row * k + l], threshold));
}

function matches(c: Call[], outcome: Outcome): boolean {
  const counted = c.filter((x) => x !== 'ignored');
  switch (outcome) {
    case 'all':
      return true;
    case 'correct':
      return counted.length > 0 && counted.every((x) => x === 'tp' || x === 'tn');
    case 'falsePositive':
      return counted.includes('fp');
    case 'falseNegative':
      return counted.includes('fn');
  }
}

/** Row indices (in evaluation order) of the images the filter keeps. */
export function filterRows(p: RunPredictions, f: GridFilter): number[] {
  const out: number[] = [];
  for (let row = 0; row < p.keys.length; row++) if (matches(calls(p, row, f.label, f.threshold), f.outcome)) out.push(row);
  return out;
}

/** How many images each outcome would keep (the outcome chooser shows them). */
export function outcomeCounts(p: RunPredictions, label: number | null, threshold: number): Record<Outcome, number> {
  const out: Record<Outcome, number> = { all: 0, correct: 0, falsePositive: 0, falseNegative: 0 };
  for (let row = 0; row < p.keys.length; row++) {
    const c = calls(p, row, label, threshold);
    for (const o of Object.keys(out) as Outcome[]) if (matches(c, o)) out[o]++;
  }
  return out;
}

export interface Page<T> {
  items: T[];
  /** 0-based, clamped to the pages there are. */
  page: number;
  pages: number;
}

export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(at * size, (at + 1) * size), page: at, pages };
}

export interface LabelCell {
  label: string;
  probability: number;
  /** 'positive' / 'negative' truth, or 'ignored' (the label does not count for this image). */
  truth: 'positive' | 'negative' | 'ignored';
  call: Call;
}

export interface ImageRow {
  row: number;
  key: string;
  /** The file name, without its folders. */
  name: string;
  cells: LabelCell[];
}

export function imageRow(p: RunPredictions, row: number, threshold: number): ImageRow {
  const k = p.labels.length;
  const key = p.keys[row];
  return {
    row,
    key,
    name: key.split('/').at(-1) ?? key,
    cells: p.labels.map((label, l) => {
      const i = row * k + l;
      return {
        label,
        probability: p.scores[i],
        truth: !(p.masks[i] > 0) ? 'ignored' : p.targets[i] > 0.5 ? 'positive' : 'negative',
        call: callOf(p.scores[i], p.targets[i], p.masks[i], threshold),
      };
    }),
  };
}

export const CALL_NAMES: Record<Call, string> = {
  tp: 'true positive',
  tn: 'true negative',
  fp: 'false positive',
  fn: 'false negative',
  ignored: 'not counted',
};
