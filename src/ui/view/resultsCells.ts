/**
 * What the results table, its chart and the chart's table alternative print: cell texts, the words screen
 * readers hear for the better/tie marks, the chart's rows and its summary. Pure (no React), tested in
 * tests/ui/resultsCells.test.ts, so the components only lay these strings out.
 */
import type { FractionPoint, MethodSeries, ResultsRow, ResultsTable } from '../../run/resultsTable';
import { formatBytes } from './checkpointView';
import { formatAuroc, formatCount, formatDuration, formatMetric, formatPercent, formatRate } from './format';
import { METHOD_LABELS } from './labels';

/** "0.720 ± 0.028"; one seed has no sd, so "0.750"; no seed scored: "n/a". */
export function meanSdText(summary: { mean: number | null; sd: number | null }): string {
  if (summary.mean === null) return 'n/a';
  return summary.sd === null ? formatAuroc(summary.mean) : `${formatAuroc(summary.mean)} ± ${formatAuroc(summary.sd)}`;
}

/** "2", "1 of 3" with a grid; then what is not counted: "(1 unscored, 1 not started, 1 replaced by a later run)". */
export function seedsText(row: ResultsRow): string {
  const base = row.expected === null ? String(row.scored) : `${row.scored} of ${row.expected}`;
  const notes: string[] = [];
  if (row.unscored > 0) notes.push(`${row.unscored} unscored`);
  if (row.missing !== null && row.missing > 0) notes.push(`${row.missing} not started`);
  if (row.superseded > 0) notes.push(`${row.superseded} replaced by a later run`);
  return notes.length > 0 ? `${base} (${notes.join(', ')})` : base;
}

/** "seed 0: 0.670–0.730" (95 % bootstrap interval of that run's test macro AUROC). */
export function intervalText(i: ResultsRow['intervals'][number]): string {
  return `seed ${i.seed}: ${formatAuroc(i.lo)}–${formatAuroc(i.hi)}`;
}

/** "1,000 (0.990%)", the page's parameter format. */
export function paramsText(row: ResultsRow): string {
  const { trainable, total } = row.params;
  if (trainable === null || total === null) return 'n/a';
  return `${formatCount(Math.round(trainable))} (${formatPercent(trainable, total)}%)`;
}

const orNa = (v: number | null, text: (v: number) => string) => (v === null ? 'n/a' : text(v));

export function costTexts(row: ResultsRow): { optimizerState: string; msPerStep: string; imagesPerSec: string; wallTime: string } {
  return {
    optimizerState: orNa(row.optimizerStateBytes.mean, formatBytes),
    msPerStep: orNa(row.msPerStep.mean, formatMetric),
    imagesPerSec: orNa(row.imagesPerSec.mean, formatRate),
    wallTime: orNa(row.wallMs.mean, (ms) => formatDuration(ms / 1000)),
  };
}

/** The words behind the visible mark: "better than full fine-tuning at 1 %" (null where no mark is shown). */
export function versusWords(row: ResultsRow): string | null {
  const other = row.method === 'lora' ? 'full fine-tuning' : 'LoRA';
  if (row.versus === 'better') return `better than ${other} at ${row.fractionLabel}`;
  if (row.versus === 'tie') return `tie with ${other} at ${row.fractionLabel}`;
  return null;
}

/** Rows of one fraction together (the table groups them under one fraction header). */
export function rowsByFraction(table: ResultsTable): { fractionLabel: string; rows: ResultsRow[] }[] {
  const groups: { fractionLabel: string; rows: ResultsRow[] }[] = [];
  for (const row of table.rows) {
    const last = groups.at(-1);
    if (last && last.fractionLabel === row.fractionLabel) last.rows.push(row);
    else groups.push({ fractionLabel: row.fractionLabel, rows: [row] });
  }
  return groups;
}

/** A chart point with its error bar as recharts' ErrorBar reads it: [below the mean, above the mean]. */
export interface FractionChartRow extends FractionPoint {
  spread: [number, number];
}

export function fractionChartRows(series: MethodSeries): FractionChartRow[] {
  return series.points.map((p) => ({ ...p, spread: [p.mean - p.min, p.max - p.mean] }));
}

/** Fractions on the x axis (ascending, each once) and a log-scale domain with room on both sides. */
export function fractionAxis(series: readonly MethodSeries[]): { ticks: number[]; domain: [number, number] } {
  const ticks = [...new Set(series.flatMap((s) => s.points.map((p) => p.fraction)))].sort((a, b) => a - b);
  if (ticks.length === 0) return { ticks, domain: [0.01, 1] };
  return { ticks, domain: [ticks[0] / 1.5, ticks[ticks.length - 1] * 1.5] };
}

/** The y range: the seeds' lowest and highest values, padded and rounded out to 0.05, within [0, 1]. */
export function aurocAxisDomain(series: readonly MethodSeries[]): [number, number] {
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) return [0, 1];
  const lo = Math.min(...points.map((p) => p.min));
  const hi = Math.max(...points.map((p) => p.max));
  return [Math.max(0, Math.floor((lo - 0.01) * 20) / 20), Math.min(1, Math.ceil((hi + 0.01) * 20) / 20)];
}

/** Round y ticks over the domain: every 0.05, or every 0.1 / 0.25 when that would make more than 8 ticks. */
export function aurocAxisTicks([lo, hi]: [number, number]): number[] {
  // In hundredths, so the steps add up exactly (0.1 + 0.2 drift would print 0.30000000000000004).
  const [from, to] = [Math.round(lo * 100), Math.round(hi * 100)];
  const step = [5, 10, 25].find((s) => (to - from) / s <= 8) ?? 25;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t / 100);
  return ticks;
}

/** The chart in words: "LoRA: 1 % 0.720 ± 0.028 (2 seeds), 100 % 0.810 ± 0.014 (2 seeds). Full fine-tuning: …". */
export function aurocByFractionSummary(series: readonly MethodSeries[]): string {
  if (series.length === 0) return 'No run scored on the test split yet.';
  return series
    .map((s) => `${METHOD_LABELS[s.method]}: ${s.points.map((p) => `${p.fractionLabel} ${meanSdText(p)} (${p.n} seed${p.n === 1 ? '' : 's'})`).join(', ')}.`)
    .join(' ');
}
