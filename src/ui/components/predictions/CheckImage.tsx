/**
 * "Check one image": open a radiograph from disk and see what the chosen run's model says of it. The out-of-
 * distribution guard looks at it first: an image that is not a chest radiograph (a colour photograph, a document, a
 * radiograph of another body part) is flagged with the reason before any probability is shown, and its probabilities
 * appear only if the user asks again, with the warning beside them.
 */
import './CheckImage.css';
import { useId, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { ImageCheck } from '../../../lab/checkImage';
import type { RunSummary } from '../../../run/runs';
import { RadiographCanvas } from './RadiographCanvas';

interface Props {
  trainer: TrainerApi;
  run: RunSummary;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function CheckImage({ trainer, run }: Props) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImageCheck | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const check = async (chosen: File, force: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await trainer.checkImage(chosen, run.id, force));
    } catch (e) {
      setResult(undefined);
      setError(`Could not check ${chosen.name}: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="check-image" role="group" aria-labelledby={`${inputId}-heading`}>
      <h3 id={`${inputId}-heading`}>Check one image</h3>
      <label className="button secondary" htmlFor={inputId}>
        Open an image…
      </label>
      <input
        id={inputId}
        type="file"
        className="visually-hidden"
        accept=".png,.jpg,.jpeg,.dcm,.bmp,.webp,image/*"
        disabled={busy}
        onChange={(e) => {
          const chosen = e.target.files?.[0];
          e.target.value = '';
          if (!chosen) return;
          setFile(chosen);
          void check(chosen, false);
        }}
      />
      <span className="muted"> The model of {run.name} answers (nothing leaves this computer).</span>
      {busy && <p role="status">Checking…</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <div className="check-result">
          <RadiographCanvas image={{ key: result.fileName, size: result.size, pixels: result.pixels, labels: [] }} displaySize={224} label={`The opened image ${result.fileName}`} />
          <div>
            {result.ood.flagged ? (
              <p role="alert" className="warning">
                {result.fileName} {result.ood.reason ? `${result.ood.reason}` : 'is not a chest radiograph'} (out-of-distribution score{' '}
                {result.ood.score.toFixed(2)}). The model learnt from chest radiographs only: what it says of this image means nothing.
              </p>
            ) : (
              <p role="status">
                {result.fileName} looks like a chest radiograph (out-of-distribution score {result.ood.score.toFixed(2)}).
              </p>
            )}
            {result.probabilities ? (
              <table className="check-probabilities">
                <caption>Probabilities from {result.weights}</caption>
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Probability</th>
                  </tr>
                </thead>
                <tbody>
                  {result.labels.map((l, i) => (
                    <tr key={l}>
                      <th scope="row">{l}</th>
                      <td>{result.probabilities![i].toFixed(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <button type="button" disabled={busy || !file} onClick={() => file && void check(file, true)}>
                Show the model&apos;s probabilities anyway
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
