/**
 * The experiment grid: the study's question (LoRA vs full fine-tuning vs linear probe at several label fractions,
 * over seeds) as a list of runs. The spec is what the user chose; `expandGrid` turns it into cells, each a complete
 * RunConfig; `gridCellProblems` says, before anything runs, which cells cannot run on the chosen dataset and why.
 */
import type { DatasetManifest } from './datasets';
import type { Method } from './loraConfig';
import { RECIPES, type RecipeId } from './recipes';
import type { RunConfig } from './records';

export const GRID_METHODS: readonly Method[] = ['lora', 'fft', 'linear'];
export const STUDY_FRACTIONS: readonly number[] = [0.01, 0.1, 1];
export const MAX_GRID_SEEDS = 5;

/** The study's suggested rank per label fraction (study.md "Recipe"): r 4 at 1 %, 8 at 10 %, 32 at 100 %. */
export function studyRank(fraction: number): number {
  if (fraction <= 0.01) return 4;
  if (fraction <= 0.1) return 8;
  return 32;
}

/** A fraction as the grid keys it and shows it: "1 %", "10 %", "2.5 %". */
export function fractionLabel(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(4))} %`;
}

export interface GridSpec {
  name: string;
  datasetId: string;
  methods: Method[];
  /** Shares of the stored training split, in (0, 1]. */
  fractions: number[];
  /** Whole numbers, at most MAX_GRID_SEEDS of them. */
  seeds: number[];
  /** LoRA rank per fraction (key: fractionLabel); a fraction not listed gets studyRank. */
  ranks: Record<string, number>;
  /** Each method keeps this recipe's learning rate (the study tunes LoRA and FFT separately). */
  recipe: RecipeId;
  /** Everything else every cell shares (model size, backbone, steps, batch, LoRA alpha/targets, ...). */
  base: Omit<RunConfig, 'datasetId' | 'method' | 'seed' | 'trainFraction'>;
}

export interface GridCell {
  index: number;
  method: Method;
  fraction: number;
  seed: number;
  config: RunConfig;
}

export type GridStatus = 'running' | 'paused' | 'interrupted' | 'finished' | 'cancelled' | 'error';

export interface GridRecord {
  id: string;
  spec: GridSpec;
  cells: GridCell[];
  /** The run of each cell, once it started. */
  runIds: (string | null)[];
  /** The cell running now (or next, when paused or interrupted); cells.length once all are done. */
  current: number;
  status: GridStatus;
  message?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Cells in the order they run: seed by seed, and within a seed fraction by fraction and method by method, so the
 * table has a value in every row after the first seed.
 */
export function expandGrid(spec: GridSpec): GridCell[] {
  const cells: GridCell[] = [];
  const recipe = RECIPES[spec.recipe];
  for (const seed of spec.seeds) {
    for (const fraction of spec.fractions) {
      for (const method of spec.methods) {
        const r = spec.ranks[fractionLabel(fraction)] ?? studyRank(fraction);
        const config: RunConfig = {
          ...spec.base,
          datasetId: spec.datasetId,
          method,
          seed,
          trainFraction: fraction,
          baseLr: recipe.baseLr[method],
          lora: { ...spec.base.lora, r, targets: { ...spec.base.lora.targets, qkv: [...spec.base.lora.targets.qkv] } },
        };
        cells.push({ index: cells.length, method, fraction, seed, config });
      }
    }
  }
  return cells;
}

/** Images of the training split a fraction keeps (at least one; the same rule as data/splits.ts selectFraction). */
export function fractionImages(trainImages: number, fraction: number): number {
  return Math.max(1, Math.round(trainImages * fraction));
}

/** What in the spec itself cannot run (no dataset needed). */
export function gridSpecProblems(spec: GridSpec): string[] {
  const out: string[] = [];
  if (spec.methods.length === 0) out.push('Choose at least one method.');
  if (spec.fractions.length === 0) out.push('Choose at least one label fraction.');
  for (const f of spec.fractions) if (!(f > 0 && f <= 1)) out.push(`A label fraction must be above 0 % and at most 100 % (got ${fractionLabel(f)}).`);
  if (spec.seeds.length === 0) out.push('Choose at least one seed.');
  if (spec.seeds.length > MAX_GRID_SEEDS) out.push(`At most ${MAX_GRID_SEEDS} seeds.`);
  if (new Set(spec.seeds).size !== spec.seeds.length || spec.seeds.some((s) => !Number.isInteger(s))) out.push('Seeds must be distinct whole numbers.');
  return out;
}

/**
 * Per cell, why it cannot run on this dataset: no validation split (best-validation selection needs one), a
 * fraction that leaves fewer training images than one batch, a label without positives (or without negatives) in
 * the test split (its AUROC would not exist). Cells without problems are left out.
 */
export function gridCellProblems(cells: GridCell[], manifest: DatasetManifest): { index: number; problems: string[] }[] {
  const out: { index: number; problems: string[] }[] = [];
  const oneClassInTest = manifest.labels.filter((_, j) => {
    const positives = manifest.positives.test[j] ?? 0;
    return positives === 0 || positives === manifest.counts.test;
  });
  for (const cell of cells) {
    const problems: string[] = [];
    if (manifest.counts.val === 0) problems.push(`"${manifest.name}" has no validation split: the best checkpoint cannot be chosen.`);
    if (manifest.counts.test === 0) problems.push(`"${manifest.name}" has no test split to score the run on.`);
    const images = fractionImages(manifest.counts.train, cell.fraction);
    if (images < cell.config.batchSize) {
      problems.push(`${fractionLabel(cell.fraction)} of ${manifest.counts.train} training images is ${images}, fewer than one batch of ${cell.config.batchSize}.`);
    }
    if (manifest.counts.test > 0) {
      for (const label of oneClassInTest) problems.push(`Label "${label}" has only one class in the test split: its AUROC does not exist.`);
    }
    if (problems.length > 0) out.push({ index: cell.index, problems });
  }
  return out;
}
