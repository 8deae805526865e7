/**
 * "Load checkpoint…": a file chooser for a .safetensors / .pth ViT checkpoint (a real <input type=file> named
 * "Load checkpoint", as "Choose dataset folder"), the progress of the worker streaming it into the cache, the
 * cached checkpoints to pick from after a reload, and the summary of the chosen one.
 */
import './CheckpointLoader.css';
import './IngestProgressView.css';
import { useId } from 'react';
import { checkpointLabel, progressFraction, progressText } from '../view/checkpointView';
import type { Checkpoints } from '../hooks/useCheckpoints';
import { CheckpointSummary } from './CheckpointSummary';
import type { CheckpointInfo } from '../../run/modelFiles';

export const CHECKPOINT_ACCEPT = '.safetensors,.pth,.pt,.bin';

interface Props {
  checkpoints: Checkpoints;
  chosenId?: string;
  onChoose(info: CheckpointInfo): void;
  disabled: boolean;
  /** The worker reads checkpoints with tfjs ops (pos_embed resizing): only once its backend is up. */
  backendReady: boolean;
}

export function CheckpointLoader({ checkpoints, chosenId, onChoose, disabled, backendReady }: Props) {
  const selectId = useId();
  const { cached, loading, loadError, listError } = checkpoints;
  const chosen = cached.find((c) => c.id === chosenId);
  const busy = disabled || loading !== undefined || !backendReady;
  return (
    <div className="checkpoint-loader">
      <div className="field-row">
        <label className={busy ? 'button file-button disabled' : 'button file-button'}>
          <span aria-hidden="true">Load checkpoint</span>
          <input
            type="file"
            accept={CHECKPOINT_ACCEPT}
            aria-label="Load checkpoint"
            disabled={busy}
            onChange={(e) => {
              const input = e.currentTarget;
              const file = input.files?.[0];
              if (!file) return;
              void checkpoints.load(file).then((info) => info && onChoose(info));
              // Cleared so choosing the same file again still fires a change.
              input.value = '';
            }}
          />
        </label>
        {cached.length > 0 && (
          <div className="field grow">
            <label htmlFor={selectId}>Cached checkpoint</label>
            <select
              id={selectId}
              value={chosen?.id ?? ''}
              disabled={busy}
              onChange={(e) => {
                const picked = cached.find((c) => c.id === e.target.value);
                if (picked) onChoose(picked);
              }}
            >
              {!chosen && <option value="">Choose a cached checkpoint</option>}
              {cached.map((c) => (
                <option key={c.id} value={c.id}>
                  {checkpointLabel(c)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {!backendReady && <p className="muted">Checkpoints can be loaded once the compute backend has started.</p>}
      <p className="muted">
        A ViT in timm layout as .safetensors or a PyTorch .pth (MAE / MRM style). It is read tensor by tensor and kept in this
        browser, so a reload does not ask for it again.
      </p>
      {loading && (
        <div className="ingest-progress">
          <div className="ingest-line">
            <span>Loading {loading.fileName}</span>
          </div>
          {/* Indeterminate until the worker has read the header and knows the total. */}
          <progress
            aria-label="Checkpoint loading progress"
            max={1}
            value={loading.progress ? progressFraction(loading.progress) : undefined}
          />
          {loading.progress && <div className="ingest-line muted">{progressText(loading.progress)}</div>}
        </div>
      )}
      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}
      {listError && <p className="warning">{listError}</p>}
      {chosen && <CheckpointSummary info={chosen} />}
    </div>
  );
}
