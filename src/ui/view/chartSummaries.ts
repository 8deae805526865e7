/**
 * The text each chart carries for screen readers (aria-describedby of the figure): the latest numbers in words.
 * Pure; tested in tests/ui/chartSummaries.test.ts.
 */
import type { AurocBar, EventMarker, LossRow, LrRow, MacroRow, ValLossRow } from './chartData';
import { formatAuroc, formatMetric } from './format';
import type { EvaluationRecord } from '../../run/records';

export function lossSummary(loss: readonly LossRow[], val: readonly ValLossRow[], markers: readonly EventMarker[]): string {
  const last = loss.at(-1);
  if (!last) return 'No training steps yet.';
  const parts = [`Step ${last.step}: training loss ${formatMetric(last.trainLoss)}, smoothed ${formatMetric(last.smoothedLoss)}.`];
  const lastVal = val.at(-1);
  if (lastVal) parts.push(`Validation loss ${formatMetric(lastVal.valLoss)} at step ${lastVal.step}.`);
  if (markers.length > 0) parts.push(`${markers.length} setting change${markers.length === 1 ? '' : 's'} marked: ${markers.map((m) => `${m.text} at step ${m.step}`).join('; ')}.`);
  return parts.join(' ');
}

export function aurocSummary(bars: readonly AurocBar[], evaluation: EvaluationRecord | undefined): string {
  if (!evaluation) return 'No evaluation yet.';
  return `Validation AUROC at step ${evaluation.step}: ${bars.map((b) => `${b.label} ${b.text}`).join(', ')}.`;
}

export function macroSummary(rows: readonly MacroRow[]): string {
  const last = rows.at(-1);
  if (!last) return 'No evaluation yet.';
  let best: MacroRow | undefined;
  for (const r of rows) if (r.macroAuroc !== null && (!best || r.macroAuroc > (best.macroAuroc ?? -1))) best = r;
  const head = `Macro AUROC ${formatAuroc(last.macroAuroc)} at step ${last.step}`;
  return best ? `${head}; best ${formatAuroc(best.macroAuroc)} at step ${best.step}.` : `${head}.`;
}

export function lrSummary(rows: readonly LrRow[]): string {
  const last = rows.at(-1);
  if (!last) return 'No training steps yet.';
  const peak = rows.reduce((m, r) => Math.max(m, r.lr), 0);
  return `Learning rate ${formatMetric(last.lr)} at step ${last.step}; peak so far ${formatMetric(peak)}.`;
}
