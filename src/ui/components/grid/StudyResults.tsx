/**
 * The study's results from stored runs: the table, the chart of macro AUROC by label fraction, and the exports,
 * all from one ResultsTable computed here (src/run/resultsTable.ts). The page passes plain records: the runs
 * (all of them, or a grid's), the grid when there is one, and its text-download helper.
 */
import './StudyResults.css';
import { useMemo } from 'react';
import type { GridRecord } from '../../../run/grid';
import { resultsTable, type ResultsOptions } from '../../../run/resultsTable';
import type { RunSummary } from '../../../run/runs';
import { AurocByFractionChart } from './AurocByFractionChart';
import { ResultsExports } from './ResultsExports';
import { ResultsTable } from './ResultsTable';

interface Props {
  runs: readonly RunSummary[];
  grid?: GridRecord;
  /** Filters and the tie tolerance (the grid, when given, is passed as is). */
  options?: Omit<ResultsOptions, 'grid'>;
  onDownload: (fileName: string, text: string, mime: string) => void;
  /** A fixed chart width in px (tests); otherwise the chart fills the section. */
  chartWidth?: number;
}

export function StudyResults({ runs, grid, options, onDownload, chartWidth }: Props) {
  const table = useMemo(() => resultsTable(runs, { ...options, grid }), [runs, grid, options]);
  return (
    <div className="study-results">
      <ResultsTable table={table} />
      <AurocByFractionChart table={table} width={chartWidth} />
      <ResultsExports table={table} runs={runs} grid={grid} onDownload={onDownload} />
    </div>
  );
}
