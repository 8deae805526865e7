/**
 * Every label at the threshold as a table: AUROC, the 2 x 2 counts, sensitivity and specificity. The ROC chart's
 * alternative for screen readers, and what tests read (data-* attributes hold the exact values).
 */
import type { ThresholdRow } from '../../view/rocView';
import { formatRate, formatThreshold } from '../../view/rocView';
import { formatAuroc } from '../../view/format';

export function ThresholdTable({ rows, threshold, what }: { rows: ThresholdRow[]; threshold: number; what: string }) {
  return (
    <div className="threshold-table-wrap" role="region" aria-label="Counts per label" tabIndex={0}>
      <table className="threshold-table" data-threshold={String(threshold)}>
        <caption>
          Per label at threshold {formatThreshold(threshold)}, {what}
        </caption>
        <thead>
          <tr>
            {['Label', 'AUROC', 'TP', 'FP', 'FN', 'TN', 'Sensitivity', 'Specificity'].map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.label}
              data-label={r.label}
              data-auroc={r.auroc === null ? 'n/a' : String(r.auroc)}
              data-tp={r.counts.tp}
              data-fp={r.counts.fp}
              data-fn={r.counts.fn}
              data-tn={r.counts.tn}
            >
              <th scope="row">{r.label}</th>
              <td>{formatAuroc(r.auroc)}</td>
              <td>{r.counts.tp}</td>
              <td>{r.counts.fp}</td>
              <td>{r.counts.fn}</td>
              <td>{r.counts.tn}</td>
              <td>{formatRate(r.counts.sensitivity)}</td>
              <td>{formatRate(r.counts.specificity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
