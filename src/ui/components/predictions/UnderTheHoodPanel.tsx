/**
 * Section 9, "Under the hood" (teaching mode): what a run's model says image by image. For the latest validation pass
 * or the test scoring of the live run or a stored one: every label's ROC curve with its AUROC, a threshold slider
 * with the 2 x 2 counts, sensitivity and specificity per label (also as tables), the evaluated images as a filterable
 * grid, and an opened image's saliency map by one run or two side by side.
 */
import './UnderTheHoodPanel.css';
import { useEffect, useMemo, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { PredictionSplit } from '../../../run/predictions';
import type { RunSummary } from '../../../run/runs';
import { usePredictions } from '../../hooks/usePredictions';
import { downloadJson } from '../../view/download';
import { predictionsFile } from '../../view/predictionsFile';
import { DEFAULT_THRESHOLD, labelRocs, operatingPoint, rocSummary, thresholdRows } from '../../view/rocView';
import type { RunView } from '../../view/runView';
import { explainableRuns, runChoiceText } from '../../view/saliencyRuns';
import { SelectField } from '../SelectField';
import { ConfusionMatrix } from './ConfusionMatrix';
import { PredictionsGrid } from './PredictionsGrid';
import { RocChart } from './RocChart';
import { RocPointsTable } from './RocPointsTable';
import { SaliencyViewer } from './SaliencyViewer';
import { CheckImage } from './CheckImage';
import { ThresholdControls } from './ThresholdControls';
import { ThresholdTable } from './ThresholdTable';

interface Props {
  trainer: TrainerApi;
  /** The stored runs (useRuns), newest first. */
  runs: RunSummary[];
  /** The page's run view: its run is shown first, and its evaluations refresh the views. */
  view: RunView;
}

const SPLIT_TEXT: Record<PredictionSplit, string> = { val: 'Latest validation pass', test: 'Test split (scored checkpoint)' };

export function UnderTheHoodPanel({ trainer, runs, view }: Props) {
  const current = view.run;
  const liveRunId = current && !view.stored ? current.id : undefined;
  const choices = useMemo(() => {
    const browser = runs.filter((r) => r.source === 'browser');
    return current && !browser.some((r) => r.id === current.id) ? [current, ...browser] : browser;
  }, [runs, current]);
  const [chosenId, setChosenId] = useState<string | undefined>(current?.id);
  // A run started or opened elsewhere on the page becomes the one shown here.
  useEffect(() => {
    if (current?.id) setChosenId(current.id);
  }, [current?.id]);
  const chosen = choices.find((r) => r.id === chosenId) ?? choices[0];
  const [split, setSplit] = useState<PredictionSplit>('val');
  const version = chosen?.id === liveRunId ? `${view.evaluations.length}|${view.test?.step ?? ''}|${view.state}` : `${chosen?.updatedAt ?? ''}|${chosen?.status ?? ''}`;
  const { predictions, loading, error } = usePredictions(trainer, chosen?.id, split, version);

  const [threshold, setThreshold] = useState(DEFAULT_THRESHOLD);
  const [label, setLabel] = useState(0);
  const [openedRow, setOpenedRow] = useState<number | undefined>();
  const labelCount = predictions?.labels.length ?? 0;
  const rocLabel = label < labelCount ? label : 0;
  // Another run or split: the opened image may not be among its images.
  useEffect(() => setOpenedRow(undefined), [chosen?.id, split]);

  const rocs = useMemo(() => (predictions ? labelRocs(predictions) : []), [predictions]);
  const rows = useMemo(() => (predictions ? thresholdRows(predictions, rocs, threshold) : []), [predictions, rocs, threshold]);
  const what = predictions ? `${predictions.split === 'val' ? 'the validation pass' : 'the test scoring'} at step ${predictions.step} (${predictions.keys.length} images)` : '';
  const explainers = useMemo(() => (predictions ? explainableRuns(choices, predictions.datasetId, liveRunId) : []), [choices, predictions, liveRunId]);
  const opened = predictions && openedRow !== undefined && openedRow < predictions.keys.length ? openedRow : undefined;

  return (
    <section className="panel under-the-hood" aria-labelledby="under-the-hood-heading">
      <h2 id="under-the-hood-heading">9. Under the hood</h2>
      {choices.length === 0 ? (
        <p className="muted">Train a run first: its evaluations are shown here image by image, with ROC curves and saliency maps.</p>
      ) : (
        <>
          <div className="hood-source">
            <SelectField label="Predictions of run" value={chosen?.id ?? ''} options={choices.map((r) => ({ value: r.id, text: runChoiceText(r) }))} onChange={setChosenId} />
            <SelectField<PredictionSplit> label="Evaluation" value={split} options={(['val', 'test'] as const).map((s) => ({ value: s, text: SPLIT_TEXT[s] }))} onChange={setSplit} />
            <button type="button" className="secondary" disabled={!predictions} onClick={() => predictions && chosen && downloadJson(`${chosen.name}-${predictions.split}-predictions.json`, predictionsFile(predictions))}>
              Download predictions
            </button>
          </div>
          <p role="status" className="muted">
            {loading && !predictions
              ? 'Reading the predictions…'
              : predictions
                ? `Showing ${what}, ${predictions.labels.length} label${predictions.labels.length === 1 ? '' : 's'}.`
                : split === 'val'
                  ? 'No validation pass of this run yet (it evaluates every few steps, and needs a validation split).'
                  : 'No test scoring of this run yet (a run is scored on the test split when it finishes).'}
          </p>
          {error && (
            <p role="alert" className="error">
              Could not read the predictions: {error}
            </p>
          )}
          {predictions && rows.length > 0 && (
            <>
              <div className="roc-area">
                <RocChart rocs={rocs} selected={rocLabel} point={operatingPoint(rows[rocLabel].counts)} caption={`ROC curves, ${what}`} summary={rocSummary(rows, threshold, what)} />
                <div className="roc-side">
                  <ThresholdControls labels={predictions.labels} label={rocLabel} onLabel={setLabel} threshold={threshold} onThreshold={setThreshold} />
                  <ConfusionMatrix row={rows[rocLabel]} threshold={threshold} />
                </div>
              </div>
              <ThresholdTable rows={rows} threshold={threshold} what={what} />
              <RocPointsTable roc={rocs[rocLabel]} />
              <PredictionsGrid trainer={trainer} predictions={predictions} threshold={threshold} openedKey={opened === undefined ? undefined : predictions.keys[opened]} onOpen={setOpenedRow} />
              {opened !== undefined && chosen && (
                <SaliencyViewer
                  key={predictions.keys[opened]}
                  trainer={trainer}
                  predictions={predictions}
                  row={opened}
                  threshold={threshold}
                  runs={explainers}
                  runId={chosen.id}
                  initialLabel={rocLabel}
                  liveRunId={liveRunId}
                  onClose={() => setOpenedRow(undefined)}
                />
              )}
            </>
          )}
          {chosen && <CheckImage trainer={trainer} run={chosen} />}
        </>
      )}
    </section>
  );
}
