/**
 * "Export table as CSV / JSON / Markdown": builds the file on click (src/ui/view/resultsFiles.ts) and hands it to
 * the page's download helper (`onDownload`, e.g. src/ui/view/downloadText.ts), so this component touches no DOM
 * API and can be rendered in tests.
 */
import './ResultsExports.css';
import type { GridRecord } from '../../../run/grid';
import type { ResultsTable } from '../../../run/resultsTable';
import type { RunSummary } from '../../../run/runs';
import { resultsFile, type ResultsFileKind } from '../../view/resultsFiles';

interface Props {
  table: ResultsTable;
  /** The runs the table was made from (the JSON keeps every one's config). */
  runs: readonly RunSummary[];
  grid?: GridRecord;
  onDownload: (fileName: string, text: string, mime: string) => void;
}

const BUTTONS: { kind: ResultsFileKind; text: string }[] = [
  { kind: 'csv', text: 'Export table as CSV' },
  { kind: 'json', text: 'Export table as JSON' },
  { kind: 'markdown', text: 'Export table as Markdown' },
];

export function ResultsExports({ table, runs, grid, onDownload }: Props) {
  const empty = table.rows.length === 0;
  const save = (kind: ResultsFileKind) => {
    const file = resultsFile(kind, table, runs, grid, new Date());
    onDownload(file.fileName, file.text, file.mime);
  };
  return (
    <div className="results-exports">
      <div className="button-row">
        {BUTTONS.map((b) => (
          <button key={b.kind} type="button" className="secondary" disabled={empty} onClick={() => save(b.kind)}>
            {b.text}
          </button>
        ))}
      </div>
      <p className="muted">
        {empty ? 'Nothing to export yet.' : `The JSON holds every run’s full config${grid ? ' and the grid' : ''}, so the study can be run again.`}
      </p>
    </div>
  );
}
