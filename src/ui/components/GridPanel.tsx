/**
 * Section 8: the experiment grid, the study's question in one click (issue 11). Methods × label fractions × seeds
 * on the chosen dataset and backbone, each method with its recipe's learning rate and LoRA with the study's rank per
 * fraction (editable). Cells that cannot run are named with the reason before anything starts. While it runs: run k
 * of n, step, ETA, Pause and Cancel; an interrupted grid (a reload) resumes where it stopped. Below, the results
 * table, the wins line and the chart of test macro AUROC by label fraction, with their exports.
 */
import './GridPanel.css';
import { useMemo, useState } from 'react';
import { expandGrid, fractionLabel, gridCellProblems, gridSpecProblems, GRID_METHODS, MAX_GRID_SEEDS, STUDY_FRACTIONS, type GridRecord } from '../../run/grid';
import type { DatasetManifest } from '../../run/datasets';
import type { RunSummary } from '../../run/runs';
import type { GridSpec } from '../../run/grid';
import type { Method } from '../../run/loraConfig';
import { formatDuration } from '../view/format';
import { defaultGridForm, gridFormProblems, gridFractions, gridSpecFrom, rankFor, type GridForm } from '../view/gridForm';
import { METHOD_LABELS } from '../view/labels';
import type { RunView } from '../view/runView';
import type { LabSettings } from '../view/runSettings';
import { downloadText } from '../view/downloadText';
import { NumberField } from './NumberField';
import { StudyResults } from './grid/StudyResults';

interface Props {
  settings: LabSettings;
  settingsProblems: string[];
  dataset?: DatasetManifest;
  view: RunView;
  /** A run or grid is active. */
  busy: boolean;
  runs: RunSummary[];
  grids: GridRecord[];
  onStart(spec: GridSpec): void;
  onResume(gridId: string): void;
  onPause(): void;
  onContinue(): void;
  onCancel(): void;
  onExportForPytorch(gridId: string): void;
}

function cellText(method: Method, fraction: number, seed: number): string {
  return `${METHOD_LABELS[method]}, ${fractionLabel(fraction)}, seed ${seed}`;
}

export function GridPanel({ settings, settingsProblems, dataset, view, busy, runs, grids, onStart, onResume, onPause, onContinue, onCancel, onExportForPytorch }: Props) {
  const [form, setForm] = useState<GridForm>(defaultGridForm);
  const spec = dataset ? gridSpecFrom(form, settings, dataset.id, dataset.name) : undefined;
  const problems = useMemo(() => {
    const out = [...gridFormProblems(form), ...settingsProblems.map((p) => `Settings: ${p}`)];
    if (!dataset || !spec) return [...out, 'Choose a dataset first.'];
    out.push(...gridSpecProblems(spec));
    const cells = expandGrid(spec);
    for (const { index, problems: cellProblems } of gridCellProblems(cells, dataset)) {
      const c = cells[index];
      out.push(`${cellText(c.method, c.fraction, c.seed)}: ${cellProblems.join(' ')}`);
    }
    return out;
  }, [form, settingsProblems, dataset, spec]);
  const cellCount = spec ? spec.methods.length * spec.fractions.length * spec.seeds.length : 0;

  const toggleMethod = (m: Method, on: boolean) =>
    setForm((f) => ({ ...f, methods: GRID_METHODS.filter((x) => (x === m ? on : f.methods.includes(x))) }));
  const toggleFraction = (fraction: number, on: boolean) =>
    setForm((f) => ({ ...f, studyFractions: STUDY_FRACTIONS.filter((x) => (x === fraction ? on : f.studyFractions.includes(x))) }));

  const progress = view.grid;
  const running = busy && progress !== undefined && (progress.status === 'running' || progress.status === 'paused');
  const shownGrid = grids.find((g) => g.id === progress?.id) ?? grids[0];
  const shownRuns = shownGrid ? runs.filter((r) => r.gridId === shownGrid.id) : [];
  // Runs trained outside the browser by an exported train.py, on the same dataset: their own table beside the grid's.
  const externalRuns = runs.filter((r) => r.source === 'pytorch' && r.datasetId === (shownGrid?.spec.datasetId ?? dataset?.id));
  const interrupted = grids.filter((g) => g.status === 'interrupted' || (g.status === 'paused' && !running));
  const eta = progress?.etaSec !== undefined ? progress.etaSec + (view.etaSec ?? 0) : view.etaSec;

  return (
    <section className="panel grid-panel" aria-labelledby="grid-heading">
      <h2 id="grid-heading">8. Experiment grid</h2>
      <p className="muted">
        The study&apos;s question on {dataset ? <strong>{dataset.name}</strong> : 'the chosen dataset'}: each method at each label fraction of the
        training split, for each seed, with the model, backbone and recipe chosen above. Every run is scored on the whole test split with its
        best-validation checkpoint.
      </p>
      <fieldset disabled={busy}>
        <legend>Methods</legend>
        <div className="checks">
          {GRID_METHODS.map((m) => (
            <label key={m} className="check">
              <input type="checkbox" checked={form.methods.includes(m)} onChange={(e) => toggleMethod(m, e.target.checked)} />
              {METHOD_LABELS[m]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={busy}>
        <legend>Label fractions of the training split</legend>
        <div className="checks">
          {STUDY_FRACTIONS.map((f) => (
            <label key={f} className="check">
              <input type="checkbox" checked={form.studyFractions.includes(f)} onChange={(e) => toggleFraction(f, e.target.checked)} />
              {fractionLabel(f)}
            </label>
          ))}
          <label className="check">
            Other %
            <input
              type="text"
              inputMode="decimal"
              className="grid-other"
              value={form.otherPercent}
              onChange={(e) => setForm((f) => ({ ...f, otherPercent: e.target.value }))}
              aria-label="Other label fraction in percent"
            />
          </label>
        </div>
      </fieldset>
      <div className="grid-2">
        <NumberField label="Seeds" value={form.seeds} onChange={(seeds) => setForm((f) => ({ ...f, seeds }))} min={1} max={MAX_GRID_SEEDS} integer disabled={busy} hint="Seeds 1 to n." />
        {form.methods.includes('lora') && (
          <fieldset disabled={busy} className="grid-ranks">
            <legend>LoRA rank per fraction</legend>
            {gridFractions(form).map((f) => (
              <NumberField
                key={f}
                label={`Rank at ${fractionLabel(f)}`}
                value={rankFor(form, f)}
                onChange={(r) => setForm((x) => ({ ...x, ranks: { ...x.ranks, [fractionLabel(f)]: r } }))}
                min={1}
                max={64}
                integer
              />
            ))}
          </fieldset>
        )}
      </div>
      <div className="button-row">
        <button type="button" className="primary" disabled={busy || problems.length > 0 || !spec} onClick={() => spec && onStart(spec)}>
          Run grid ({cellCount} run{cellCount === 1 ? '' : 's'})
        </button>
        <button type="button" disabled={!running || progress?.status !== 'running'} onClick={onPause}>
          Pause grid
        </button>
        <button type="button" disabled={!running || progress?.status !== 'paused'} onClick={onContinue}>
          Continue grid
        </button>
        <button type="button" disabled={!running} onClick={onCancel}>
          Cancel grid
        </button>
      </div>
      {!busy && problems.length > 0 && (
        <ul className="blockers" aria-label="Why the grid cannot run">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {progress && (
        <p role="status" className="grid-progress">
          {progress.status === 'finished'
            ? `Grid finished: ${progress.total} runs.`
            : `Grid ${progress.status}: run ${Math.min(progress.index + 1, progress.total)} of ${progress.total} · step ${view.step} of ${view.totalSteps}${eta !== undefined ? ` · ETA ${formatDuration(eta)}` : ''}`}
          {progress.message ? ` (${progress.message})` : ''}
        </p>
      )}
      {!busy &&
        interrupted.map((g) => (
          <div key={g.id} className="resume-grid" role="group" aria-label={`Unfinished grid ${g.spec.name}`}>
            <p>
              The grid <strong>{g.spec.name}</strong> stopped at run {Math.min(g.current + 1, g.cells.length)} of {g.cells.length} ({g.status}).
            </p>
            <button type="button" onClick={() => onResume(g.id)}>
              Resume grid
            </button>
          </div>
        ))}
      {shownGrid && (
        <div className="button-row">
          <button type="button" className="secondary" onClick={() => onExportForPytorch(shownGrid.id)}>
            Export grid for PyTorch
          </button>
        </div>
      )}
      {shownGrid && shownRuns.length > 0 && (
        <div className="grid-results">
          <h3>Results: {shownGrid.spec.name}</h3>
          <StudyResults runs={shownRuns} grid={shownGrid} onDownload={downloadText} />
        </div>
      )}
      {externalRuns.length > 0 && (
        <div className="grid-results" role="group" aria-label="Results run outside the browser">
          <h3>Results run outside the browser (PyTorch)</h3>
          <StudyResults runs={externalRuns} onDownload={downloadText} />
        </div>
      )}
    </section>
  );
}
