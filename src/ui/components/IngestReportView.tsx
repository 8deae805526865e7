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
      <button type="button" onClick={save}>
        Download ingest report
      </button>
    </div>
  );
}
