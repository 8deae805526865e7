/** Section 5: the live charts of the run, the latest AUROC table, and the run log. */
import './ChartsPanel.css';
import { useMemo, type ReactNode } from 'react';
import { aurocBars, latestEvaluation, macroAurocRows } from '../../view/chartData';
import type { RunView } from '../../view/runView';
import { RunLog } from '../RunLog';
import { AurocChart } from './AurocChart';
import { AurocTable } from './AurocTable';
import { LossChart } from './LossChart';
import { LrChart } from './LrChart';
import { MacroAurocChart } from './MacroAurocChart';

export function ChartsPanel({ view, labels, explanation }: { view: RunView; labels: string[]; explanation?: ReactNode }) {
  const latest = useMemo(() => latestEvaluation(view.evaluations), [view.evaluations]);
  const bars = useMemo(() => aurocBars(labels, latest), [labels, latest]);
  const macro = useMemo(() => macroAurocRows(view.evaluations), [view.evaluations]);
  return (
    <section className="panel charts" aria-label="Training charts">
      <h2>5. Live charts</h2>
      {explanation}
      <div className="chart-grid">
        <LossChart steps={view.steps} evaluations={view.evaluations} events={view.events} totalSteps={view.totalSteps} />
        <AurocChart bars={bars} evaluation={latest} />
        <MacroAurocChart rows={macro} totalSteps={view.totalSteps} />
        <LrChart steps={view.steps} totalSteps={view.totalSteps} />
      </div>
      <div className="chart-extras">
        <AurocTable bars={bars} step={latest?.step} />
        <RunLog lines={view.logs} />
      </div>
    </section>
  );
}
