/** The chosen label's 2 x 2 confusion counts at the threshold, with sensitivity and specificity in words. */
import type { ThresholdRow } from '../../view/rocView';
import { formatRate, formatThreshold } from '../../view/rocView';

export function ConfusionMatrix({ row, threshold }: { row: ThresholdRow; threshold: number }) {
  const c = row.counts;
  return (
    <div className="confusion" data-label={row.label}>
      <table className="confusion-matrix">
        <caption>
          {row.label} at threshold {formatThreshold(threshold)}
        </caption>
        <thead>
          <tr>
            <td />
            <th scope="col">Called positive</th>
            <th scope="col">Called negative</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Truly positive</th>
            <td className="cell-right">{c.tp} true positives</td>
            <td className="cell-wrong">{c.fn} false negatives</td>
          </tr>
          <tr>
            <th scope="row">Truly negative</th>
            <td className="cell-wrong">{c.fp} false positives</td>
            <td className="cell-right">{c.tn} true negatives</td>
          </tr>
        </tbody>
      </table>
      <p className="confusion-rates">
        Sensitivity <strong>{formatRate(c.sensitivity)}</strong> (positives found), specificity <strong>{formatRate(c.specificity)}</strong> (negatives cleared).
      </p>
    </div>
  );
}
