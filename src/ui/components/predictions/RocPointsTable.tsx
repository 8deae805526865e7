/** The chosen label's ROC curve as a table (the chart's points, the same thinning), folded away by default. */
import { useMemo } from 'react';
import { rocPoints, type LabelRoc } from '../../view/rocView';

export function RocPointsTable({ roc }: { roc: LabelRoc }) {
  const points = useMemo(() => (roc.curve ? rocPoints(roc.curve) : []), [roc]);
  return (
    <details className="roc-points">
      <summary>ROC curve of {roc.label} as a table</summary>
      {points.length === 0 ? (
        <p className="muted">No curve: the evaluated images hold one class only for {roc.label}.</p>
      ) : (
        <div className="roc-points-scroll" role="region" aria-label={`ROC points of ${roc.label}`} tabIndex={0}>
          <table>
            <caption className="visually-hidden">ROC points of {roc.label}</caption>
            <thead>
              <tr>
                <th scope="col">Threshold</th>
                <th scope="col">1 − specificity</th>
                <th scope="col">Sensitivity</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p, i) => (
                <tr key={i}>
                  {/* The first point's threshold lies above every score: nothing is called positive there. */}
                  <td>{i === 0 ? 'above all' : p.threshold.toFixed(4)}</td>
                  <td>{p.fpr.toFixed(3)}</td>
                  <td>{p.tpr.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
