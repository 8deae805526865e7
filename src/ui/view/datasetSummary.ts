/**
 * What the dataset panel says about a stored dataset: counts per split, per-label prevalence, which one to select.
 * Pure; tested in tests/ui/datasetSummary.test.ts.
 */
import { SPLITS, type DatasetManifest, type FileEntry, type Split } from '../../run/datasets';

export interface PrevalenceCell {
  positives: number;
  count: number;
  /** positives / count, NaN for an empty split */
  fraction: number;
}

export interface PrevalenceRow {
  label: string;
  bySplit: Record<Split, PrevalenceCell>;
}

export function prevalenceRows(m: DatasetManifest): PrevalenceRow[] {
  return m.labels.map((label, i) => {
    const bySplit = {} as Record<Split, PrevalenceCell>;
    for (const split of SPLITS) {
      const count = m.counts[split] ?? 0;
      const positives = m.positives[split]?.[i] ?? 0;
      bySplit[split] = { positives, count, fraction: count > 0 ? positives / count : Number.NaN };
    }
    return { label, bySplit };
  });
}

export function totalImages(m: DatasetManifest): number {
  return SPLITS.reduce((sum, s) => sum + (m.counts[s] ?? 0), 0);
}

/** The most recent complete dataset, else the most recent incomplete one (it can resume), else undefined. */
export function pickDefaultDataset(manifests: readonly DatasetManifest[]): DatasetManifest | undefined {
  const newestFirst = [...manifests].sort((a, b) => b.createdAt - a.createdAt);
  return newestFirst.find((m) => !m.incomplete) ?? newestFirst[0];
}

/** A dataset's name from a dropped folder: the common top folder of all paths, else a dated fallback. */
export function datasetNameFromFiles(files: readonly FileEntry[], now: Date): string {
  const tops = new Set(files.map((f) => f.path.split('/').filter(Boolean)[0] ?? ''));
  const [only] = [...tops];
  const allNested = files.every((f) => f.path.split('/').filter(Boolean).length > 1);
  if (tops.size === 1 && only && allNested) return only;
  // One archive chosen or dropped on its own (chest_xray.zip, CheXpert-v1.0-small.zip) names the dataset it holds.
  const archive = files.length === 1 ? /^([^/]+?)\.(zip|tar|tgz|tar\.gz)$/i.exec(files[0].path) : null;
  if (archive) return archive[1];
  return `Dataset of ${now.toISOString().slice(0, 10)}`;
}
