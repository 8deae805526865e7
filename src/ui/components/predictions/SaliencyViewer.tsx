/**
 * The opened image, large, with a saliency map over it: "why did it say that?" for a chosen label, by one run or by
 * two side by side (e.g. a grid's LoRA and full fine-tuning runs) on the same image, method and label. Methods:
 * gradient x input, SmoothGrad with a choice of noisy copies, attention rollout. The overlay's opacity is a slider.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { RunPredictions } from '../../../run/predictions';
import type { RunSummary } from '../../../run/runs';
import { DEFAULT_SMOOTH_GRAD, SALIENCY_METHOD_NAMES, type SaliencyMethod } from '../../../run/saliencyRequest';
import { useStoredImages } from '../../hooks/useStoredImages';
import { imageRow } from '../../view/predictionFilters';
import { pairedRun, runChoiceText } from '../../view/saliencyRuns';
import { SelectField } from '../SelectField';
import { SaliencyPane } from './SaliencyPane';

interface Props {
  trainer: TrainerApi;
  predictions: RunPredictions;
  row: number;
  threshold: number;
  /** Runs that can explain images of this dataset (saliencyRuns.ts). */
  runs: RunSummary[];
  /** The run whose predictions are shown: the first pane's run at first. */
  runId: string;
  initialLabel: number;
  /** The live run's id: its weights change as it trains, so its maps are made again at each new evaluation. */
  liveRunId?: string;
  onClose(): void;
}

const SAMPLE_CHOICES = [4, 8, 16, 32, 64];
const NOISE_CHOICES = [0.1, 0.15, 0.2];
const NONE = '';

export function SaliencyViewer({ trainer, predictions, row, threshold, runs, runId, initialLabel, liveRunId, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const opacityId = useId();
  const [label, setLabel] = useState(initialLabel);
  const [method, setMethod] = useState<SaliencyMethod>('gradientTimesInput');
  const [samples, setSamples] = useState(DEFAULT_SMOOTH_GRAD.samples);
  const [noise, setNoise] = useState(DEFAULT_SMOOTH_GRAD.noiseStd);
  const [opacity, setOpacity] = useState(0.6);
  const [leftId, setLeftId] = useState(runId);
  const [rightId, setRightId] = useState(NONE);
  const info = imageRow(predictions, row, threshold);
  const { images, error } = useStoredImages(trainer, predictions.datasetId, [info.key]);
  const image = images.get(info.key);

  // Opening an image (another tile) moves the focus here, so a keyboard user lands on what opened.
  useEffect(() => heading.current?.focus(), [info.key]);

  const left = runs.find((r) => r.id === leftId) ?? runs.find((r) => r.id === runId) ?? runs[0];
  const right = runs.find((r) => r.id === rightId && r.id !== left?.id);
  const suggestion = left ? pairedRun(left, runs) : undefined;
  const request = {
    datasetId: predictions.datasetId,
    imageKey: info.key,
    labelIndex: label,
    method,
    ...(method === 'smoothGrad' ? { smoothGrad: { samples, noiseStd: noise, seed: DEFAULT_SMOOTH_GRAD.seed } } : {}),
  };
  const runOptions = runs.map((r) => ({ value: r.id, text: runChoiceText(r) }));
  const displaySize = right ? 320 : 448;

  return (
    <section className="saliency-viewer" aria-labelledby="saliency-heading">
      <div className="saliency-head">
        <h3 id="saliency-heading" ref={heading} tabIndex={-1}>
          Opened image: {info.name}
        </h3>
        <button type="button" className="secondary" onClick={onClose}>
          Close image
        </button>
      </div>
      <p className="muted saliency-truth">
        {info.cells.map((c) => `${c.label}: probability ${c.probability.toFixed(3)}, truth ${c.truth}`).join('; ')} ({predictions.split === 'val' ? 'validation pass' : 'test scoring'} at step {predictions.step}).
      </p>
      <fieldset className="saliency-controls">
        <legend>Saliency map</legend>
        <SelectField label="Explain label" value={String(label)} options={predictions.labels.map((l, i) => ({ value: String(i), text: l }))} onChange={(v) => setLabel(Number(v))} />
        <SelectField<SaliencyMethod>
          label="Explanation"
          value={method}
          options={(Object.keys(SALIENCY_METHOD_NAMES) as SaliencyMethod[]).map((m) => ({ value: m, text: SALIENCY_METHOD_NAMES[m] }))}
          onChange={setMethod}
        >
          {method === 'attentionRollout' ? 'Rollout follows the attention, not a label: the same map for every label.' : undefined}
        </SelectField>
        {method === 'smoothGrad' && (
          <>
            <SelectField label="Noisy copies (n)" value={String(samples)} options={SAMPLE_CHOICES.map((n) => ({ value: String(n), text: String(n) }))} onChange={(v) => setSamples(Number(v))} />
            <SelectField
              label="Noise (share of the value range)"
              value={String(noise)}
              options={NOISE_CHOICES.map((n) => ({ value: String(n), text: `${Math.round(n * 100)} %` }))}
              onChange={(v) => setNoise(Number(v))}
            />
          </>
        )}
        <div className="field">
          <label htmlFor={opacityId}>Overlay opacity: {Math.round(opacity * 100)} %</label>
          <input id={opacityId} type="range" min={0} max={1} step={0.05} value={opacity} aria-valuetext={`${Math.round(opacity * 100)} %`} onChange={(e) => setOpacity(Number(e.target.value))} />
        </div>
        <SelectField label="Run" value={left?.id ?? NONE} options={runOptions} onChange={setLeftId} />
        <SelectField
          label="Compare with run"
          value={right?.id ?? NONE}
          options={[{ value: NONE, text: 'No second run' }, ...runOptions.filter((o) => o.value !== left?.id)]}
          onChange={setRightId}
        >
          {suggestion && !right ? `e.g. ${runChoiceText(suggestion)}` : undefined}
        </SelectField>
      </fieldset>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!left ? (
        <p className="muted">No run with stored weights can explain images of this dataset yet.</p>
      ) : (
        <div className={`saliency-panes${right ? ' side-by-side' : ''}`}>
          <SaliencyPane trainer={trainer} run={left} image={image} request={request} labels={predictions.labels} opacity={opacity} displaySize={displaySize} version={left.id === liveRunId ? String(predictions.step) : ''} />
          {right && (
            <SaliencyPane trainer={trainer} run={right} image={image} request={request} labels={predictions.labels} opacity={opacity} displaySize={displaySize} version={right.id === liveRunId ? String(predictions.step) : ''} />
          )}
        </div>
      )}
    </section>
  );
}
