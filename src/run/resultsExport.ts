/**
 * The results table as files: CSV for spreadsheets (full precision, one column per label), Markdown for a paper
 * or a pull request (3 decimals, "mean ± sd", the better of LoRA and full fine-tuning in bold, the wins line under
 * it), and JSON, the complete record: the rows plus every run's full config and identity (and the grid, when
 * there is one), so the study can be re-run cell by cell. Pure; the JSON's shape is checked by resultsJson.ts.
 */
import Papa from 'papaparse';
import type { GridRecord } from './grid';
import type { Method } from './loraConfig';
import type { ResultsRow, ResultsTable } from './resultsTable';
import { RESULTS_SCHEMA, type ResultsJson } from './resultsJson';
import { NOT_FOR_MEDICAL_USE, NOTICE_SHORT } from './notice';
import type { RunSummary } from './runs';

export { checkResultsJson, RESULTS_SCHEMA, type ResultsJson } from './resultsJson';

/** Per-seed intervals in one cell: "seed 0: [0.71, 0.79]; seed 1: [n/a, n/a]". */
function intervalsCell(row: ResultsRow): string {
  const end = (v: number | null) => (v === null ? 'n/a' : String(v));
  return row.intervals.map((i) => `seed ${i.seed}: [${end(i.lo)}, ${end(i.hi)}]`).join('; ');
}

/**
 * One line per row, numbers at full precision, empty cells where a value does not exist. Column names follow the
 * metrics CSV (`auroc_<label>`); label names are quoted as RFC 4180 asks when they hold commas or quotes. The last
 * column, `notice`, says "Not for medical use" on every row (a column, not a comment line: Papaparse, pandas and
 * spreadsheets read the file with their default options).
 */
export function resultsCsv(table: ResultsTable): string {
  const fields = [
    'method',
    'fraction',
    'fractionLabel',
    'runs',
    'scored',
    'unscored',
    'superseded',
    'expected',
    'missing',
    'seeds',
    'macroAurocN',
    'macroAurocMean',
    'macroAurocSd',
    'macroAurocMin',
    'macroAurocMax',
    'versus',
    'meanEce',
    ...table.labels.map((l) => `auroc_${l}`),
    ...table.labels.map((l) => `aurocRuns_${l}`),
    ...table.labels.map((l) => `ece_${l}`),
    'trainableParams',
    'totalParams',
    'trainablePercent',
    'optimizerStateBytes',
    'msPerStep',
    'imagesPerSec',
    'wallMs',
    'macroAurocCi95PerSeed',
    'notice',
  ];
  const data = table.rows.map((r) => [
    r.method,
    r.fraction,
    r.fractionLabel,
    r.runs,
    r.scored,
    r.unscored,
    r.superseded,
    r.expected,
    r.missing,
    r.seeds.join(';'),
    r.macroAuroc.n,
    r.macroAuroc.mean,
    r.macroAuroc.sd,
    r.macroAuroc.min,
    r.macroAuroc.max,
    r.versus,
    r.meanEce.mean,
    ...r.auroc.map((a) => a.mean),
    ...r.auroc.map((a) => a.n),
    ...r.ece.map((e) => e.mean),
    r.params.trainable,
    r.params.total,
    r.params.trainablePercent,
    r.optimizerStateBytes.mean,
    r.msPerStep.mean,
    r.imagesPerSec.mean,
    r.wallMs.mean,
    intervalsCell(r),
    NOTICE_SHORT,
  ]);
  return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
}

/** Method names as a paper prints them; the page may pass its own (METHOD_LABELS). */
export const PAPER_METHOD_NAMES: Record<Method, string> = { lora: 'LoRA', fft: 'FFT', linear: 'Linear probe' };

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const fixed = (v: number | null, decimals: number) => (v === null ? 'n/a' : v.toFixed(decimals));

/** Bytes in MB (10^6) to 3 significant digits: 0.008, 2.46, 688 (a LoRA adapter and a ViT-B's moments differ 300-fold). */
const megabytes = (bytes: number | null) => (bytes === null ? 'n/a' : String(Number((bytes / 1e6).toPrecision(3))));

/** "0.812 ± 0.004"; one seed has no sd, so just "0.812". */
function meanSdCell(row: ResultsRow): string {
  const { mean, sd } = row.macroAuroc;
  if (mean === null) return 'n/a';
  return sd === null ? mean.toFixed(3) : `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
}

/** "3", "2/3" with a grid, plus what is not counted: "(1 unscored, 1 not started)". */
function seedsCell(row: ResultsRow): string {
  const base = row.expected === null ? String(row.scored) : `${row.scored}/${row.expected}`;
  const notes = [row.unscored > 0 ? `${row.unscored} unscored` : '', row.missing ? `${row.missing} not started` : ''].filter(Boolean);
  return notes.length > 0 ? `${base} (${notes.join(', ')})` : base;
}

/** A Markdown table cell: pipes would end the cell, line breaks the row. */
const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/**
 * A paper-style table: rows by fraction then method, the test macro AUROC as mean ± sd over seeds (bold: the better
 * of LoRA and full fine-tuning at that fraction), per-label test AUROC, mean ECE and the costs; a legend and the
 * wins line under it.
 */
export function resultsMarkdown(table: ResultsTable, options: { methodNames?: Record<Method, string> } = {}): string {
  const names = options.methodNames ?? PAPER_METHOD_NAMES;
  const header = [
    'Label fraction',
    'Method',
    'Seeds',
    'Test macro AUROC (mean ± sd)',
    ...table.labels,
    'Mean ECE',
    'Trainable parameters',
    'Optimizer state (MB)',
    'ms/step',
    'images/s',
    'Wall time (min)',
  ];
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  const lines = [header, align].map((cells) => `| ${cells.map(md).join(' | ')} |`);
  for (const r of table.rows) {
    const macro = meanSdCell(r);
    const percent = r.params.trainablePercent === null ? '' : ` (${r.params.trainablePercent.toFixed(3)} %)`;
    const cells = [
      r.fractionLabel,
      names[r.method],
      seedsCell(r),
      r.versus === 'better' ? `**${macro}**` : macro,
      ...r.auroc.map((a) => fixed(a.mean, 3)),
      fixed(r.meanEce.mean, 3),
      r.params.trainable === null ? 'n/a' : `${countFormat.format(r.params.trainable)}${percent}`,
      megabytes(r.optimizerStateBytes.mean),
      fixed(r.msPerStep.mean, 1),
      fixed(r.imagesPerSec.mean, 1),
      fixed(r.wallMs.mean === null ? null : r.wallMs.mean / 60_000, 1),
    ];
    lines.push(`| ${cells.map(md).join(' | ')} |`);
  }
  const legend =
    `Test split, best-validation checkpoint; ± is the sample standard deviation over seeds (n − 1). Bold: the better of ` +
    `${names.lora} and ${names.fft} at that label fraction by mean test macro AUROC (no bold on a tie). Label columns: ` +
    `mean test AUROC per label. ECE: expected calibration error, 15 bins. Means over the scored runs; MB = 10^6 bytes.`;
  return `${lines.join('\n')}\n\n${md(legend)}\n\n${md(table.winsLine)}\n\n_${md(NOT_FOR_MEDICAL_USE)}_\n`;
}

/**
 * The complete record: the table's rows and comparisons, every run the table found (counted or not) with its full
 * config and identity, and the grid record when given. Runs the table did not select (another grid or dataset)
 * are left out.
 */
export function resultsJson(table: ResultsTable, runs: readonly RunSummary[], grid?: GridRecord): ResultsJson {
  const found = new Set(table.rows.flatMap((r) => r.runIds));
  const counted = new Set(table.rows.flatMap((r) => r.countedRunIds));
  return {
    schema: RESULTS_SCHEMA,
    notice: NOT_FOR_MEDICAL_USE,
    labels: table.labels,
    datasets: table.datasets,
    gridId: table.gridId,
    tieTolerance: table.tieTolerance,
    winsLine: table.winsLine,
    wins: table.wins,
    comparisons: table.comparisons,
    rows: table.rows,
    runs: runs.filter((r) => found.has(r.id)).map((r) => ({ ...r, counted: counted.has(r.id) })),
    grid: grid ?? null,
  };
}
