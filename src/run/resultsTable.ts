/**
 * The study's results table from stored runs, as the paper reports it: one row per method x label fraction, the
 * test macro AUROC as mean ± sd over seeds, per-label AUROC and calibration beside it, what each method costs, the
 * better of LoRA and full fine-tuning marked per fraction, and a line that counts the wins. Pure: the page, the
 * exports (resultsExport.ts) and the chart all read the same ResultsTable.
 *
 * Only runs scored on the test split count (RunSummary.test: the best-validation checkpoint on the whole test
 * split); the others are counted per row as unscored so the table says what it is still waiting for.
 */
import { GRID_METHODS, fractionLabel, type GridRecord } from './grid';
import type { Method } from './loraConfig';
import type { RunSummary } from './runs';
import { meanOf, summarizeSeeds, type MeanOf, type SeedSummary } from './summaryStats';

export interface ResultsOptions {
  /** The grid whose runs these are: only runs with its id count, and its cells say how many seeds each row expects. */
  grid?: GridRecord;
  /** Only runs of this grid (ignored when `grid` is given: its id is used). */
  gridId?: string;
  /** Only runs on this dataset. */
  datasetId?: string;
  /**
   * LoRA and full fine-tuning tie at a fraction when their mean test macro AUROCs differ by at most this. The
   * default, 1e-9, only absorbs floating-point noise: any real difference, however small, has a better method.
   */
  tieTolerance?: number;
}

export const DEFAULT_TIE_TOLERANCE = 1e-9;

/** Per-label mean over the counted runs whose value for that label exists (n says how many). */
export interface LabelMean extends MeanOf {
  label: string;
}

/** One counted run's 95 % bootstrap interval of its test macro AUROC (TestScore.macroAurocCi). */
export interface RunInterval {
  runId: string;
  runName: string;
  seed: number;
  macroAuroc: number | null;
  lo: number | null;
  hi: number | null;
  resamples: number;
}

/** How a LoRA or full fine-tuning row compares with the other one at its fraction. */
export type Versus = 'better' | 'worse' | 'tie';

export interface ResultsRow {
  method: Method;
  fraction: number;
  fractionLabel: string;
  /** Runs of this method and fraction found, whatever their status. */
  runs: number;
  /** Runs counted: scored on the test split, one per seed (the latest scored run when a seed was scored twice). */
  scored: number;
  /** Seeds of the counted runs, ascending. */
  seeds: number[];
  /** Runs found without a test score yet (running, paused, interrupted, stopped, failed). */
  unscored: number;
  /** Scored runs left out because a later scored run of the same seed replaced them. */
  superseded: number;
  /** With a grid: its cells for this row, and how many of those have no run at all yet (not started). Null without a grid. */
  expected: number | null;
  missing: number | null;
  /** Test macro AUROC over the counted runs (runs whose macro AUROC does not exist are left out of n). */
  macroAuroc: SeedSummary;
  /** Test AUROC per label, in the table's label order. */
  auroc: LabelMean[];
  /** Expected calibration error (15 bins) per label, and the mean of the runs' mean ECE. */
  ece: LabelMean[];
  meanEce: MeanOf;
  intervals: RunInterval[];
  /** Means over the counted runs; trainablePercent = 100 * trainable / total of those means. */
  params: { n: number; trainable: number | null; total: number | null; trainablePercent: number | null };
  optimizerStateBytes: MeanOf;
  msPerStep: MeanOf;
  imagesPerSec: MeanOf;
  wallMs: MeanOf;
  /** LoRA and full fine-tuning rows only, when both have a mean macro AUROC at this fraction. */
  versus: Versus | null;
  /** Every run found for the row, and the counted ones. */
  runIds: string[];
  countedRunIds: string[];
}

export interface FractionComparison {
  fraction: number;
  fractionLabel: string;
  lora: number | null;
  fft: number | null;
  /** Null when LoRA or full fine-tuning has no mean macro AUROC at this fraction. */
  winner: 'lora' | 'fft' | 'tie' | null;
}

export interface Wins {
  /** Fractions where both LoRA and full fine-tuning have a mean macro AUROC. */
  compared: number;
  lora: number;
  fft: number;
  ties: number;
  /** Fractions with a LoRA or full fine-tuning row where one of the two has no score yet. */
  notCompared: string[];
}

export interface ResultsTable {
  /** Labels in the order the runs list them (first seen first). */
  labels: string[];
  /** Datasets the counted and uncounted runs come from: more than one means the rows mix datasets. */
  datasets: { id: string; name: string }[];
  gridId: string | null;
  tieTolerance: number;
  /** Ordered by fraction, then method in GRID_METHODS order (LoRA, full fine-tuning, linear probe). */
  rows: ResultsRow[];
  comparisons: FractionComparison[];
  wins: Wins;
  winsLine: string;
}

export function runFraction(run: Pick<RunSummary, 'config'>): number {
  return run.config.trainFraction ?? 1;
}

const rowKey = (method: Method, fraction: number) => `${method}@${fractionLabel(fraction)}`;

interface RowDraft {
  method: Method;
  fraction: number;
  found: RunSummary[];
  expectedSeeds: number[] | null;
}

/** Keeps one scored run per seed, the one updated last; the rest are superseded. */
function onePerSeed(scored: RunSummary[]): { counted: RunSummary[]; superseded: number } {
  const bySeed = new Map<number, RunSummary>();
  for (const run of scored) {
    const held = bySeed.get(run.config.seed);
    if (!held || run.updatedAt > held.updatedAt) bySeed.set(run.config.seed, run);
  }
  const counted = [...bySeed.values()].sort((a, b) => a.config.seed - b.config.seed);
  return { counted, superseded: scored.length - counted.length };
}

function labelMeans(labels: string[], counted: RunSummary[], pick: (run: RunSummary) => Record<string, number | null>): LabelMean[] {
  return labels.map((label) => {
    const values: number[] = [];
    for (const run of counted) {
      const v = pick(run)[label];
      if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
    }
    return { label, ...meanOf(values) };
  });
}

const present = (values: (number | null | undefined)[]) => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function buildRow(draft: RowDraft, labels: string[]): ResultsRow {
  const scored = draft.found.filter((r) => r.test !== undefined);
  const { counted, superseded } = onePerSeed(scored);
  const seeds = counted.map((r) => r.config.seed);
  const params = meanOf(counted.map((r) => r.params.trainable));
  const total = meanOf(counted.map((r) => r.params.total));
  const expected = draft.expectedSeeds;
  return {
    method: draft.method,
    fraction: draft.fraction,
    fractionLabel: fractionLabel(draft.fraction),
    runs: draft.found.length,
    scored: counted.length,
    seeds,
    unscored: draft.found.length - scored.length,
    superseded,
    expected: expected ? expected.length : null,
    missing: expected ? expected.filter((s) => !draft.found.some((r) => r.config.seed === s)).length : null,
    macroAuroc: summarizeSeeds(present(counted.map((r) => r.test?.macroAuroc))),
    auroc: labelMeans(labels, counted, (r) => r.test?.auroc ?? {}),
    ece: labelMeans(labels, counted, (r) => r.test?.ece ?? {}),
    meanEce: meanOf(present(counted.map((r) => r.test?.meanEce))),
    intervals: counted.map((r) => ({
      runId: r.id,
      runName: r.name,
      seed: r.config.seed,
      macroAuroc: r.test?.macroAuroc ?? null,
      lo: r.test?.macroAurocCi.lo ?? null,
      hi: r.test?.macroAurocCi.hi ?? null,
      resamples: r.test?.macroAurocCi.resamples ?? 0,
    })),
    params: {
      n: params.n,
      trainable: params.mean,
      total: total.mean,
      trainablePercent: params.mean !== null && total.mean !== null && total.mean > 0 ? (100 * params.mean) / total.mean : null,
    },
    optimizerStateBytes: meanOf(counted.map((r) => r.optimizerStateBytes)),
    msPerStep: meanOf(present(counted.map((r) => r.resources?.msPerStep))),
    imagesPerSec: meanOf(present(counted.map((r) => r.resources?.imagesPerSec))),
    wallMs: meanOf(counted.map((r) => r.wallMs)),
    versus: null,
    runIds: draft.found.map((r) => r.id),
    countedRunIds: counted.map((r) => r.id),
  };
}

function compareAtFraction(rows: ResultsRow[], fraction: number, tolerance: number): FractionComparison {
  const mean = (method: Method) => rows.find((r) => r.method === method)?.macroAuroc.mean ?? null;
  const lora = mean('lora');
  const fft = mean('fft');
  let winner: FractionComparison['winner'] = null;
  if (lora !== null && fft !== null) winner = Math.abs(lora - fft) <= tolerance ? 'tie' : lora > fft ? 'lora' : 'fft';
  const loraRow = rows.find((r) => r.method === 'lora');
  const fftRow = rows.find((r) => r.method === 'fft');
  if (winner && loraRow && fftRow) {
    loraRow.versus = winner === 'tie' ? 'tie' : winner === 'lora' ? 'better' : 'worse';
    fftRow.versus = winner === 'tie' ? 'tie' : winner === 'fft' ? 'better' : 'worse';
  }
  return { fraction, fractionLabel: fractionLabel(fraction), lora, fft, winner };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "LoRA won 2 of 3 fractions; full fine-tuning won 1; 0 ties." plus the fractions not yet comparable. */
export function winsLine(wins: Wins): string {
  const waiting = wins.notCompared.length > 0 ? ` Not compared (LoRA or full fine-tuning has no score): ${wins.notCompared.join(', ')}.` : '';
  if (wins.compared === 0) return `LoRA and full fine-tuning are not both scored at any label fraction yet.${waiting}`;
  return `LoRA won ${wins.lora} of ${plural(wins.compared, 'fraction')}; full fine-tuning won ${wins.fft}; ${plural(wins.ties, 'tie')}.${waiting}`;
}

function selectRuns(runs: readonly RunSummary[], options: ResultsOptions): RunSummary[] {
  const gridId = options.grid?.id ?? options.gridId;
  return runs.filter((r) => (gridId === undefined || r.gridId === gridId) && (options.datasetId === undefined || r.datasetId === options.datasetId));
}

export function resultsTable(runs: readonly RunSummary[], options: ResultsOptions = {}): ResultsTable {
  const tolerance = options.tieTolerance ?? DEFAULT_TIE_TOLERANCE;
  const selected = selectRuns(runs, options);
  const labels: string[] = [];
  const datasets = new Map<string, string>();
  for (const run of selected) {
    for (const label of run.labels) if (!labels.includes(label)) labels.push(label);
    if (!datasets.has(run.datasetId)) datasets.set(run.datasetId, run.datasetName);
  }

  const drafts = new Map<string, RowDraft>();
  const draftOf = (method: Method, fraction: number) => {
    const key = rowKey(method, fraction);
    let draft = drafts.get(key);
    if (!draft) drafts.set(key, (draft = { method, fraction, found: [], expectedSeeds: options.grid ? [] : null }));
    return draft;
  };
  for (const cell of options.grid?.cells ?? []) draftOf(cell.method, cell.fraction).expectedSeeds?.push(cell.seed);
  for (const run of selected) draftOf(run.config.method, runFraction(run)).found.push(run);

  const methodOrder = (m: Method) => {
    const i = GRID_METHODS.indexOf(m);
    return i < 0 ? GRID_METHODS.length : i;
  };
  const rows = [...drafts.values()]
    .sort((a, b) => a.fraction - b.fraction || methodOrder(a.method) - methodOrder(b.method))
    .map((d) => buildRow(d, labels));

  const fractions: number[] = [];
  for (const row of rows) if (!fractions.some((f) => fractionLabel(f) === row.fractionLabel)) fractions.push(row.fraction);
  const comparisons = fractions.map((f) =>
    compareAtFraction(
      rows.filter((r) => r.fractionLabel === fractionLabel(f)),
      f,
      tolerance,
    ),
  );
  const compared = comparisons.filter((c) => c.winner !== null);
  const wins: Wins = {
    compared: compared.length,
    lora: compared.filter((c) => c.winner === 'lora').length,
    fft: compared.filter((c) => c.winner === 'fft').length,
    ties: compared.filter((c) => c.winner === 'tie').length,
    notCompared: comparisons
      .filter((c) => c.winner === null && rows.some((r) => r.fractionLabel === c.fractionLabel && (r.method === 'lora' || r.method === 'fft')))
      .map((c) => c.fractionLabel),
  };

  return {
    labels,
    datasets: [...datasets].map(([id, name]) => ({ id, name })),
    gridId: options.grid?.id ?? options.gridId ?? null,
    tieTolerance: tolerance,
    rows,
    comparisons,
    wins,
    winsLine: winsLine(wins),
  };
}

/** One point of the macro-AUROC-by-fraction chart: a row's seeds (mean, sd, range). */
export interface FractionPoint {
  fraction: number;
  fractionLabel: string;
  n: number;
  mean: number;
  sd: number | null;
  min: number;
  max: number;
}

export interface MethodSeries {
  method: Method;
  points: FractionPoint[];
}

/** Per method (table order), its rows with a mean test macro AUROC, by fraction; methods without one are left out. */
export function aurocByFractionSeries(table: ResultsTable): MethodSeries[] {
  const out: MethodSeries[] = [];
  for (const row of table.rows) {
    const { n, mean, sd, min, max } = row.macroAuroc;
    if (mean === null || min === null || max === null) continue;
    let series = out.find((s) => s.method === row.method);
    if (!series) out.push((series = { method: row.method, points: [] }));
    series.points.push({ fraction: row.fraction, fractionLabel: row.fractionLabel, n, mean, sd, min, max });
  }
  const order = (m: Method) => GRID_METHODS.indexOf(m);
  return out.sort((a, b) => order(a.method) - order(b.method));
}
