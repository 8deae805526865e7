/**
 * Section 4: Start training / Pause / Resume / Step / Stop / Download metrics (JSON, and CSV tables in a .zip), the
 * "Step k of N" status and why Start is unavailable when it is. "Step" runs exactly one step of a paused run, or
 * starts the run paused and runs its first step.
 */
import './RunControls.css';
import type { ReactNode } from 'react';
import type { RunView } from '../view/runView';
import { isActive, stepStatusText } from '../view/runView';

interface Props {
  view: RunView;
  /** Reasons Start training is unavailable (empty: it can start). */
  blockers: string[];
  onStart(): void;
  onPause(): void;
  onResume(): void;
  onStop(): void;
  onDownloadMetrics(): void;
  onDownloadMetricsCsv(): void;
  onStep(): void;
  /** The section's "What is this?". */
  explanation?: ReactNode;
}

export function RunControls({ view, blockers, onStart, onPause, onResume, onStop, onDownloadMetrics, onDownloadMetricsCsv, onStep, explanation }: Props) {
  const active = isActive(view.state);
  const canStep = view.state === 'paused' || (!active && blockers.length === 0);
  const noMetrics = view.state === 'idle' || view.state === 'starting';
  const fraction = view.totalSteps > 0 ? Math.min(1, view.step / view.totalSteps) : 0;
  return (
    <section className="panel">
      <h2>4. Training</h2>
      {explanation}
      <div className="button-row">
        <button type="button" className="primary" disabled={active || blockers.length > 0} onClick={onStart}>
          Start training
        </button>
        <button type="button" disabled={view.state !== 'running'} onClick={onPause}>
          Pause
        </button>
        <button type="button" disabled={view.state !== 'paused'} onClick={onResume}>
          Resume
        </button>
        <button type="button" disabled={!canStep} onClick={onStep} title="Run exactly one training step, then stay paused">
          Step
        </button>
        <button type="button" disabled={!active} onClick={onStop}>
          Stop
        </button>
        <button type="button" className="secondary" disabled={noMetrics} onClick={onDownloadMetrics}>
          Download metrics
        </button>
        <button type="button" className="secondary" disabled={noMetrics} onClick={onDownloadMetricsCsv}>
          Export metrics as CSV
        </button>
      </div>
      {!active && blockers.length > 0 && (
        <ul className="blockers">
          {blockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      )}
      <p role="status" className="step-status">
        {stepStatusText(view)}
      </p>
      <div className="run-bar" aria-hidden="true">
        <div className="run-bar-fill" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
      </div>
    </section>
  );
}
