/**
 * One run's saliency map of the opened image: asks the training worker for the map whenever the image, run, label
 * or method changes (a newer request wins over an older one still in flight), draws it over the radiograph, and
 * says how long it took from the request to the pixels on screen (the figure "npm run bench" cannot see: worker
 * call, transfer and drawing).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { RunSummary } from '../../../run/runs';
import type { ImagePixels, SaliencyRequest, SaliencyResult } from '../../../run/saliencyRequest';
import { SALIENCY_METHOD_NAMES } from '../../../run/saliencyRequest';
import { runChoiceText } from '../../view/saliencyRuns';
import { RadiographCanvas } from './RadiographCanvas';

interface Props {
  trainer: TrainerApi;
  run: RunSummary;
  image: ImagePixels | undefined;
  request: Omit<SaliencyRequest, 'runId'>;
  labels: string[];
  opacity: number;
  displaySize: number;
  /** Changes when the run's weights may have changed (the live run evaluated again): the map is computed anew. */
  version?: string;
}

interface Drawn {
  result: SaliencyResult;
  /** performance.now() when the request left. */
  started: number;
  pageMs?: number;
}

export function SaliencyPane({ trainer, run, image, request, labels, opacity, displaySize, version = '' }: Props) {
  const [drawn, setDrawn] = useState<Drawn | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  const key = JSON.stringify({ runId: run.id, ...request });

  useEffect(() => {
    const id = ++latest.current;
    const full: SaliencyRequest = JSON.parse(key) as SaliencyRequest;
    const started = performance.now();
    setBusy(true);
    setError(undefined);
    trainer.saliency(full).then(
      (result) => {
        if (id !== latest.current) return;
        setDrawn({ result, started });
        setBusy(false);
      },
      (e: unknown) => {
        if (id !== latest.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setBusy(false);
      },
    );
  }, [trainer, key, version]);

  const onDrawn = useCallback(() => {
    const now = performance.now();
    setDrawn((d) => (d && d.pageMs === undefined ? { ...d, pageMs: now - d.started } : d));
  }, []);

  // Words for what is drawn now (the result), which lags the controls while a newer map is computed.
  const result = drawn?.result;
  const probability = result?.probabilities[result.labelIndex];
  const what = result ? `${SALIENCY_METHOD_NAMES[result.method]}${result.method === 'attentionRollout' ? '' : ` for ${labels[result.labelIndex]}`}` : '';
  return (
    <figure className="saliency-pane" data-run-id={run.id} data-state={busy ? 'computing' : result ? 'drawn' : error ? 'error' : 'idle'} data-page-ms={drawn?.pageMs?.toFixed(0) ?? ''} data-worker-ms={result?.ms.toFixed(0) ?? ''}>
      <figcaption>
        <strong>{runChoiceText(run)}</strong>
      </figcaption>
      <RadiographCanvas
        image={image}
        displaySize={displaySize}
        label={result ? `${what} by ${run.name}, drawn over the radiograph` : 'The radiograph'}
        overlay={result}
        opacity={opacity}
        onOverlayDrawn={onDrawn}
      />
      <p role="status" className="saliency-status">
        {error
          ? ''
          : busy
            ? 'Computing the map…'
            : result
              ? `Probability of ${labels[result.labelIndex]}: ${probability?.toFixed(3)}. Drawn in ${drawn?.pageMs?.toFixed(0) ?? '…'} ms (the map took ${result.ms.toFixed(0)} ms in the worker), with ${result.weights}.`
              : ''}
      </p>
      {error && (
        <p role="alert" className="error">
          Saliency failed: {error}
        </p>
      )}
    </figure>
  );
}
