/** Messages from the trainer and the page (warnings, failures), newest last. */
import './RunLog.css';
import type { LogLine } from '../view/runView';

export function RunLog({ lines }: { lines: LogLine[] }) {
  return (
    <div className="run-log">
      <h3>Run log</h3>
      {lines.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ol role="log" aria-label="Run log">
          {lines.map((l) => (
            <li key={l.id} className={`log-${l.level}`}>
              {l.level !== 'info' && <strong>{l.level}: </strong>}
              {l.message}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
