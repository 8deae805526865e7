/**
 * A run's metrics as CSV, for spreadsheets: one table of steps and one of evaluations (one AUROC column per
 * label, empty where undefined). The JSON download (MetricsLog) stays the complete record. The last column, `notice`,
 * says "Not for medical use" on every row: a plain column keeps the file a rectangular table that any CSV reader
 * (Papaparse, pandas, a spreadsheet) takes with its default options, and a row copied out keeps its warning.
 */
import { NOTICE_SHORT } from './notice';
import type { MetricsLog } from './records';

function cell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(header: string[], rows: unknown[][]): string {
  return [[...header, 'notice'], ...rows.map((r) => [...r, NOTICE_SHORT])].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export function stepsCsv(log: MetricsLog): string {
  return table(['step', 'loss', 'lr', 'ms'], log.steps.map((s) => [s.step, s.loss, s.lr, s.ms]));
}

export function evaluationsCsv(log: MetricsLog): string {
  const header = ['step', 'split', 'loss', 'macroAuroc', ...log.labels.map((l) => `auroc_${l}`)];
  return table(header, log.evaluations.map((e) => [e.step, e.split, e.loss, e.macroAuroc, ...log.labels.map((l) => e.auroc[l])]));
}
