/**
 * "Export metrics as CSV": one .zip holding two CSV tables (steps and evaluations, src/run/metricsCsv.ts).
 * One file rather than two downloads: browsers ask before letting a page save several files from one click.
 * Pure (no DOM); tested in tests/ui/metricsCsvZip.test.ts.
 */
import { strToU8, zipSync } from 'fflate';
import { evaluationsCsv, stepsCsv } from '../../run/metricsCsv';
import type { MetricsLog } from '../../run/records';

export interface MetricsCsvZip {
  fileName: string;
  /** Names of the two CSV files inside, in order: steps, evaluations. */
  entries: [string, string];
  bytes: Uint8Array;
}

export function metricsCsvZip(log: MetricsLog, runName: string): MetricsCsvZip {
  const entries: [string, string] = [`${runName}-steps.csv`, `${runName}-evaluations.csv`];
  const bytes = zipSync({ [entries[0]]: strToU8(stepsCsv(log)), [entries[1]]: strToU8(evaluationsCsv(log)) }, { level: 6 });
  return { fileName: `${runName}-metrics-csv.zip`, entries, bytes };
}
