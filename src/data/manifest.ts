/**
 * What a manifest says about its dataset: a stable id and the per-split counts / label positives.
 */
import { SPLITS, type LabelValue, type Split } from '../run/datasets';
import { hashString } from '../run/random';

/**
 * Same folder + same settings -> same id, so dropping a folder again resumes or reuses the stored images
 * instead of duplicating them. Storage size and seed are part of it: they change the stored pixels and splits.
 * 64 bits from two differently seeded 32-bit hashes: collisions among a user's handful of datasets are
 * negligible, and it needs no secure context (crypto.subtle is missing on plain-http LAN origins).
 */
export function datasetIdFor(layout: string, paths: string[], storageSize: number, seed: number): string {
  const text = [layout, `size=${storageSize}`, `seed=${seed}`, ...[...paths].sort()].join('\n');
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return `ds-${hex(hashString(text, 0))}${hex(hashString(text, 0x9e3779b9))}`;
}

export interface SplitStats {
  counts: Record<Split, number>;
  positives: Record<Split, number[]>;
}

export function splitStats(entries: { split?: Split; labels: LabelValue[] }[], numLabels: number): SplitStats {
  const counts = Object.fromEntries(SPLITS.map((s) => [s, 0])) as Record<Split, number>;
  const positives = Object.fromEntries(SPLITS.map((s) => [s, new Array<number>(numLabels).fill(0)])) as Record<Split, number[]>;
  for (const entry of entries) {
    if (entry.split === undefined) continue;
    counts[entry.split]++;
    entry.labels.forEach((v, i) => {
      if (v === 1) positives[entry.split!][i]++;
    });
  }
  return { counts, positives };
}
