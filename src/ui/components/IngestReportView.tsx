/** The skipped-files report of the last ingest, with "Download ingest report" (JSON). */
import './IngestReportView.css';
import { downloadJson } from '../view/download';
import { fileTimestamp, formatCount } from '../view/format';
import { countByReason, ingestReportJson } from '../view/ingestReport';
import type { IngestResult } from '../../run/datasets';

/** Listing tens of thousands of rows would freeze the page; the download has them all. */
const MAX_LISTED = 200;

export function IngestReportView({ result }: { result: IngestResult }) {
  const byReason = countByReason(result.skipped);
  const save = () => downloadJson(`ingest-report-${result.manifest.name.replace(/[^\w.-]+/g, '_')}-${fileTimestamp(new Date())}.json`, ingestReportJson(result));
  return (
    <div className="ingest-report">
      <p>
        {result.error ? 'Ingest stopped after' : result.cancelled ? 'Ingest cancelled after' : 'Ingested'} {formatCount(result.ingested)} image{result.ingested === 1 ? '' : 's'};{' '}
        {formatCount(result.skipped.length)} file{result.skipped.length === 1 ? '' : 's'} skipped.
      </p>
      {byReason.length > 0 && (
        <>
          <ul className="reason-counts">
            {byReason.map((r) => (
              <li key={r.reason}>
                {r.reason}: {formatCount(r.count)}
              </li>
            ))}
          </ul>
          <details>
            <summary>Skipped files</summary>
            <ul className="skipped-files">
              {result.skipped.slice(0, MAX_LISTED).map((p, i) => (
                <li key={`${i}-${p.path}`}>
                  <code>{p.path}</code> — {p.reason}
                </li>
              ))}
            </ul>
            {result.skipped.length > MAX_LISTED && (
              <p className="muted">…and {formatCount(result.skipped.length - MAX_LISTED)} more (all in the downloaded report).</p>
            )}
          </details>
        </>
      )}
      {result.flagged && result.flagged.length > 0 && (
        <div className="flagged" role="group" aria-label="Images that do not look like chest radiographs">
          <p className="warning">
            {formatCount(result.flagged.length)} image{result.flagged.length === 1 ? ' does' : 's do'} not look like chest radiographs
            {result.flagged.every((f) => f.excluded) ? ' and were left out.' : ': stored, but check them before training on them.'}
          </p>
          <details>
            <summary>Flagged images</summary>
            <ul className="skipped-files">
              {result.flagged.slice(0, MAX_LISTED).map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code> — {f.reason} (score {f.score.toFixed(2)}){f.excluded ? ', left out' : ''}
                </li>
              ))}
            </ul>
          </details>
        </div>
      )}
      <button type="button" onClick={save}>
        Download ingest report
      </button>
    </div>
  );
}
