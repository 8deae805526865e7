/** Ingest progress: a progress bar with "n / total", images/s, ETA, skipped count, and Cancel. */
import './IngestProgressView.css';
import { formatCount, formatDuration, formatRate } from '../view/format';
import type { IngestProgress } from '../../run/datasets';

const PHASE_TEXT: Record<IngestProgress['phase'], string> = {
  scanning: 'Reading the folder',
  parsing: 'Recognising the layout',
  decoding: 'Decoding and storing images',
  done: 'Done',
  cancelled: 'Cancelled',
  error: 'Failed',
};

interface Props {
  progress: IngestProgress;
  running: boolean;
  onCancel(): void;
}

export function IngestProgressView({ progress, running, onCancel }: Props) {
  const known = progress.total > 0;
  return (
    <div className="ingest-progress">
      <div className="ingest-line">
        <span>{PHASE_TEXT[progress.phase]}</span>
        {known && (
          <span>
            {formatCount(progress.done)} / {formatCount(progress.total)}
          </span>
        )}
      </div>
      {/* An indeterminate bar (no value) until the number of images is known. */}
      <progress aria-label="Ingest progress" max={known ? progress.total : undefined} value={known ? progress.done : undefined} />
      <div className="ingest-line muted">
        <span>{formatRate(progress.rate)} images/s</span>
        <span>ETA {formatDuration(progress.eta)}</span>
        <span>{formatCount(progress.skipped)} skipped</span>
      </div>
      {progress.message && <p className="muted">{progress.message}</p>}
      {running && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
