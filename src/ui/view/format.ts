/**
 * Number and time formatting for the page. Pure functions (no DOM), tested in tests/ui/format.test.ts.
 * Counts use en-US grouping on purpose: the page contract ("Trainable parameters: 307,214 of 86,104,334 (0.357%)")
 * is read by tests and must not depend on the browser's locale.
 */
import type { ParamCount } from '../../run/paramCount';

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** 100 * part / total with a fixed number of decimals; "0.000" for an empty total rather than NaN. */
export function formatPercent(part: number, total: number, decimals = 3): string {
  if (!(total > 0)) return (0).toFixed(decimals);
  return ((100 * part) / total).toFixed(decimals);
}

export function formatParamStatus(p: ParamCount): string {
  return `Trainable parameters: ${formatCount(p.trainable)} of ${formatCount(p.total)} (${formatPercent(p.trainable, p.total)}%)`;
}

/** "45 s", "3 min 05 s", "2 h 07 min"; "unknown" for NaN, negative or infinite input. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Images per second with one decimal under 10 (slow backends), none above. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : formatCount(Math.round(perSecond));
}

/** AUROC with 3 decimals; an undefined AUROC (one class only in the evaluated set) is "n/a", never 0.5. */
export function formatAuroc(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3);
}

/** Losses and learning rates span many decades: 4 significant digits, exponent form when tiny. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** A file-system-safe ISO time: 2026-11-28T03-47-23-000Z (colons are not allowed in Windows file names). */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
