/** `role="status"` "Backend: <name>" and why the trainer chose it (page contract, issue 2). */
import './BackendStatus.css';
import type { BackendState } from '../hooks/useBackend';

interface Props {
  backend: BackendState;
  /** A problem with the ?backend= parameter, shown next to the status. */
  warning?: string;
}

export function BackendStatus({ backend, warning }: Props) {
  return (
    <div className="backend">
      <p role="status" className="backend-status">
        {backend.status === 'pending' && 'Backend: choosing…'}
        {backend.status === 'ready' && (
          <>
            <strong>Backend: {backend.report.name}</strong>
            <span className="backend-reason"> — {backend.report.reason}</span>
          </>
        )}
        {backend.status === 'failed' && (
          <>
            <strong>Backend: none</strong>
            <span className="backend-reason"> — could not start any backend: {backend.error}</span>
          </>
        )}
      </p>
      {backend.status === 'ready' && backend.report.rejected.length > 0 && (
        <details className="backend-details">
          <summary>Backends not used</summary>
          <ul>
            {backend.report.rejected.map((r) => (
              <li key={r.name}>
                {r.name}: {r.why}
              </li>
            ))}
          </ul>
          {backend.report.adapter && <p>Adapter: {backend.report.adapter}</p>}
        </details>
      )}
      {warning && <p className="warning">{warning}</p>}
    </div>
  );
}
