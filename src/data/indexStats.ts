/**
 * Counts the dataset panel shows for a parsed index: images and patients per split and per-label prevalence
 * (positives / labelled, with -1 "ignore" cells counted apart). Works on index rows alone, so a full 112k-row
 * index can be summarised before a single image is decoded.
 */
import type { LabelValue, Split } from '../run/datasets';

export interface IndexedItem {
  labels: readonly LabelValue[];
  patientId?: string;
  split?: Split;
}

export interface LabelPrevalence {
  label: string;
  positives: number;
  negatives: number;
  /** -1 cells (uncertain, masked in loss and AUROC). */
  ignored: number;
  /** positives / (positives + negatives); NaN when no image is labelled. */
  prevalence: number;
}

export interface GroupStats {
  images: number;
  patients: number;
  /** Images without a patient id (counted as their own patient nowhere). */
  withoutPatient: number;
  labels: LabelPrevalence[];
}

export type SplitOrUnassigned = Split | 'unassigned';

export interface IndexStats extends GroupStats {
  perSplit: Record<SplitOrUnassigned, GroupStats>;
  /** Patients with images in more than one split: must be empty for a patient-disjoint split. */
  patientsInSeveralSplits: string[];
}

function groupStats(labelNames: readonly string[], items: readonly IndexedItem[]): GroupStats {
  const positives = new Array<number>(labelNames.length).fill(0);
  const negatives = new Array<number>(labelNames.length).fill(0);
  const ignored = new Array<number>(labelNames.length).fill(0);
  const patients = new Set<string>();
  let withoutPatient = 0;
  for (const item of items) {
    if (item.patientId !== undefined && item.patientId !== '') patients.add(item.patientId);
    else withoutPatient++;
    for (let i = 0; i < labelNames.length; i++) {
      const v = item.labels[i];
      if (v === 1) positives[i]++;
      else if (v === 0) negatives[i]++;
      else ignored[i]++;
    }
  }
  return {
    images: items.length,
    patients: patients.size,
    withoutPatient,
    labels: labelNames.map((label, i) => ({
      label,
      positives: positives[i],
      negatives: negatives[i],
      ignored: ignored[i],
      prevalence: positives[i] + negatives[i] > 0 ? positives[i] / (positives[i] + negatives[i]) : NaN,
    })),
  };
}

/** Patient ids that occur in two or more splits (items without a split or patient are not considered). */
export function patientsInSeveralSplits(items: readonly IndexedItem[]): string[] {
  const seen = new Map<string, Split>();
  const leaking = new Set<string>();
  for (const item of items) {
    if (item.patientId === undefined || item.split === undefined) continue;
    const first = seen.get(item.patientId);
    if (first === undefined) seen.set(item.patientId, item.split);
    else if (first !== item.split) leaking.add(item.patientId);
  }
  return [...leaking].sort();
}

export function computeIndexStats(labelNames: readonly string[], items: readonly IndexedItem[]): IndexStats {
  const bySplit: Record<SplitOrUnassigned, IndexedItem[]> = { train: [], val: [], test: [], unassigned: [] };
  for (const item of items) bySplit[item.split ?? 'unassigned'].push(item);
  const perSplit = {} as Record<SplitOrUnassigned, GroupStats>;
  for (const key of Object.keys(bySplit) as SplitOrUnassigned[]) perSplit[key] = groupStats(labelNames, bySplit[key]);
  return { ...groupStats(labelNames, items), perSplit, patientsInSeveralSplits: patientsInSeveralSplits(items) };
}
