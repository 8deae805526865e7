/**
 * The three results files the page offers ("Export table as CSV / JSON / Markdown"): name, text and MIME type.
 * Pure (the time comes in), tested in tests/ui/resultsFiles.test.ts; ResultsExports hands the file to the page's
 * download helper.
 */
import type { GridRecord } from '../../run/grid';
import { resultsCsv, resultsJson, resultsMarkdown } from '../../run/resultsExport';
import type { ResultsTable } from '../../run/resultsTable';
import type { RunSummary } from '../../run/runs';
import { fileTimestamp } from './format';
import { METHOD_LABELS } from './labels';

export type ResultsFileKind = 'csv' | 'json' | 'markdown';

export interface ResultsFile {
  fileName: string;
  text: string;
  mime: string;
}

const EXTENSIONS: Record<ResultsFileKind, string> = { csv: 'csv', json: 'json', markdown: 'md' };

/** "results-<grid or dataset name>" with characters file systems refuse replaced by "_". */
export function resultsFileBase(table: ResultsTable, grid?: GridRecord): string {
  const name = grid?.spec.name ?? (table.datasets.length === 1 ? table.datasets[0].name : '');
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return safe ? `results-${safe}` : 'results';
}

export function resultsFile(kind: ResultsFileKind, table: ResultsTable, runs: readonly RunSummary[], grid: GridRecord | undefined, at: Date): ResultsFile {
  const fileName = `${resultsFileBase(table, grid)}-${fileTimestamp(at)}.${EXTENSIONS[kind]}`;
  if (kind === 'csv') return { fileName, text: resultsCsv(table), mime: 'text/csv' };
  if (kind === 'json') return { fileName, text: `${JSON.stringify(resultsJson(table, runs, grid), null, 2)}\n`, mime: 'application/json' };
  return { fileName, text: resultsMarkdown(table, { methodNames: METHOD_LABELS }), mime: 'text/markdown' };
}
