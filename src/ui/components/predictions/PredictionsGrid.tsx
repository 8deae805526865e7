/**
 * The evaluated images as a grid of thumbnails with each label's probability, truth and call at the threshold,
 * filtered by label and outcome and shown a page at a time. Each tile is a button: Enter or a click opens the image
 * large (with its saliency map) below the grid.
 */
import { useMemo, useState } from 'react';
import type { TrainerApi } from '../../../lab/trainer';
import type { RunPredictions } from '../../../run/predictions';
import { useStoredImages } from '../../hooks/useStoredImages';
import { CALL_NAMES, filterRows, imageRow, OUTCOME_NAMES, outcomeCounts, pageOf, type Outcome } from '../../view/predictionFilters';
import { SelectField } from '../SelectField';
import { RadiographCanvas } from './RadiographCanvas';

export const GRID_PAGE_SIZE = 24;

interface Props {
  trainer: TrainerApi;
  predictions: RunPredictions;
  threshold: number;
  openedKey: string | undefined;
  onOpen(row: number): void;
}

export function PredictionsGrid({ trainer, predictions, threshold, openedKey, onOpen }: Props) {
  const [label, setLabel] = useState<string>('any');
  const [outcome, setOutcome] = useState<Outcome>('all');
  const [page, setPage] = useState(0);
  const labelIndex = label === 'any' ? null : Number(label);
  const rows = useMemo(() => filterRows(predictions, { label: labelIndex, outcome, threshold }), [predictions, labelIndex, outcome, threshold]);
  const counts = useMemo(() => outcomeCounts(predictions, labelIndex, threshold), [predictions, labelIndex, threshold]);
  const shown = pageOf(rows, page, GRID_PAGE_SIZE);
  const tiles = shown.items.map((row) => imageRow(predictions, row, threshold));
  const { images, error } = useStoredImages(trainer, predictions.datasetId, tiles.map((t) => t.key));

  return (
    <section className="predictions-grid" aria-labelledby="predictions-grid-heading">
      <h3 id="predictions-grid-heading">Predictions</h3>
      <div className="grid-filters">
        <SelectField
          label="Show label"
          value={label}
          options={[{ value: 'any', text: 'Any label' }, ...predictions.labels.map((l, i) => ({ value: String(i), text: l }))]}
          onChange={(v) => {
            setLabel(v);
            setPage(0);
          }}
        />
        <SelectField
          label="Outcome"
          value={outcome}
          options={(Object.keys(OUTCOME_NAMES) as Outcome[]).map((o) => ({ value: o, text: `${OUTCOME_NAMES[o]} (${counts[o]})` }))}
          onChange={(v) => {
            setOutcome(v);
            setPage(0);
          }}
        />
        <div className="button-row grid-pages" role="group" aria-label="Pages of images">
          <button type="button" className="secondary" disabled={shown.page === 0} onClick={() => setPage(shown.page - 1)}>
            Previous page
          </button>
          <span role="status">
            {rows.length === 0 ? 'No image' : `Page ${shown.page + 1} of ${shown.pages} (${rows.length} images)`}
          </span>
          <button type="button" className="secondary" disabled={shown.page >= shown.pages - 1} onClick={() => setPage(shown.page + 1)}>
            Next page
          </button>
        </div>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="tiles">
        {tiles.map((t) => {
          const words = t.cells.map((c) => `${c.label} ${c.probability.toFixed(2)}, ${c.truth}${c.call === 'ignored' ? '' : `, ${CALL_NAMES[c.call]}`}`).join('; ');
          return (
            <li key={t.key}>
              <button type="button" className="tile" data-key={t.key} aria-pressed={t.key === openedKey} aria-label={`Open ${t.name}: ${words}`} onClick={() => onOpen(t.row)}>
                <RadiographCanvas image={images.get(t.key)} displaySize={112} label={t.name} />
                <span className="tile-name">{t.name}</span>
                <ul className="tile-labels" aria-hidden="true">
                  {t.cells.map((c) => (
                    <li key={c.label} className={`call-${c.call}`}>
                      <span className="tile-label">{c.label}</span> {c.probability.toFixed(2)} <abbr title={CALL_NAMES[c.call]}>{c.call === 'ignored' ? '–' : c.call.toUpperCase()}</abbr>
                    </li>
                  ))}
                </ul>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
