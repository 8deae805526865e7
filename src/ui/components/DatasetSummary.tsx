/** What was found: layout, labels, images per split, and per-label prevalence per split. */
import './DatasetSummary.css';
import { prevalenceRows, totalImages } from '../view/datasetSummary';
import { formatCount } from '../view/format';
import { SPLITS, type DatasetManifest } from '../../run/datasets';

function percent(fraction: number): string {
  return Number.isNaN(fraction) ? '–' : `${(100 * fraction).toFixed(1)}%`;
}

export function DatasetSummary({ manifest }: { manifest: DatasetManifest }) {
  const rows = prevalenceRows(manifest);
  return (
    <div className="dataset-summary">
      <p>
        <strong>{manifest.name}</strong>: {formatCount(totalImages(manifest))} images, layout <code>{manifest.layout}</code>,{' '}
        {manifest.labels.length} label{manifest.labels.length === 1 ? '' : 's'}, stored at {manifest.storageSize}×{manifest.storageSize} px.
      </p>
      {manifest.incomplete && (
        <p className="warning">This dataset's ingest did not finish. Load the same folder again to resume it.</p>
      )}
      {manifest.notes.length > 0 && (
        <ul className="notes">
          {manifest.notes.map((n, i) => (
            <li key={`${i}-${n}`}>{n}</li>
          ))}
        </ul>
      )}
      <div className="table-scroll">
        <table className="prevalence">
          <caption>Positives per label and split (prevalence)</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              {SPLITS.map((s) => (
                <th scope="col" key={s}>
                  {s} ({formatCount(manifest.counts[s] ?? 0)})
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {SPLITS.map((s) => (
                  <td key={s}>
                    {formatCount(r.bySplit[s].positives)} <span className="muted">({percent(r.bySplit[s].fraction)})</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
