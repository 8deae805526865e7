/** The latest per-label AUROC as a table (screen readers, tests: each row has data-label and data-auroc). */
import './AurocTable.css';
import type { AurocBar } from '../../view/chartData';

export function AurocTable({ bars, step }: { bars: AurocBar[]; step: number | undefined }) {
  return (
    <table className="auroc-table" data-step={step ?? ''}>
      <caption>{step === undefined ? 'Validation AUROC per label: no evaluation yet' : `Validation AUROC per label at step ${step}`}</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">AUROC</th>
        </tr>
      </thead>
      <tbody>
        {bars.map((b) => (
          <tr key={b.label} data-label={b.label} data-auroc={b.auroc === null ? 'n/a' : String(b.auroc)}>
            <th scope="row">{b.label}</th>
            <td>{b.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
