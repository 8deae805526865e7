/**
 * The "Ingest options" of the dataset panel (issue 4): layout by hand, split seed, label fraction of the training
 * split, the study's training list when its split files are dropped, and CheXpert's label options.
 */
import './IngestOptions.css';
import { useId } from 'react';
import type { ChexpertChoice, FractionChoice, StudyTrainList } from '../view/ingestChoices';
import { ChexpertFields } from './ChexpertFields';
import { NumberField } from './NumberField';
import { SelectField, type SelectOption } from './SelectField';

export const DETECT_LAYOUT = 'detect';

export interface IngestOptionsState {
  /** A layout id, or DETECT_LAYOUT. */
  layout: string;
  seed: number;
  fraction: FractionChoice;
  /** Used when fraction is 'custom'; NumberField commits only values in (0, 100]. */
  customPercent: number;
  studyTrainList: StudyTrainList;
  chexpert: ChexpertChoice;
  /** Leave out the images that do not look like chest radiographs (otherwise they are stored and flagged). */
  excludeOutOfDistribution: boolean;
}

const STUDY_LIST_OPTIONS: SelectOption<StudyTrainList>[] = [
  { value: 'largest', text: 'The largest list dropped' },
  { value: 'train_1', text: 'train_1.txt (1 % of the labels)' },
  { value: 'train_10', text: 'train_10.txt (10 %)' },
  { value: 'train_list', text: 'train_list.txt (100 %)' },
];

const FRACTIONS: { value: FractionChoice; text: string }[] = [
  { value: '1', text: '1 %' },
  { value: '10', text: '10 %' },
  { value: '100', text: '100 %' },
  { value: 'custom', text: 'Custom %' },
];

interface Props {
  state: IngestOptionsState;
  onChange(next: IngestOptionsState): void;
  layouts: { id: string; name: string }[];
  disabled: boolean;
}

interface FractionProps {
  fraction: FractionChoice;
  customPercent: number;
  onChange(fraction: FractionChoice, customPercent: number): void;
  disabled: boolean;
}

/** The study trains on 1 %, 10 % and 100 % of the training labels (random per image, nested per seed). */
function LabelFraction({ fraction, customPercent, onChange, disabled }: FractionProps) {
  const noteId = useId();
  return (
    <fieldset className="ingest-fieldset" disabled={disabled} aria-describedby={noteId}>
      <legend>Label fraction of the training split</legend>
      <div className="checks">
        {FRACTIONS.map(({ value, text }) => (
          <label key={value} className="check">
            <input type="radio" name={`${noteId}-fraction`} checked={fraction === value} onChange={() => onChange(value, customPercent)} />
            {text}
          </label>
        ))}
      </div>
      {fraction === 'custom' && (
        <NumberField label="Custom label fraction (%)" value={customPercent} min={0.01} max={100} onChange={(p) => onChange('custom', p)} />
      )}
      <p id={noteId} className="muted">
        Validation and test stay complete. Adding the same folder again with a larger fraction stores only the missing images.
      </p>
    </fieldset>
  );
}

export function IngestOptions({ state, onChange, layouts, disabled }: Props) {
  const layoutOptions = [{ value: DETECT_LAYOUT, text: 'Detect automatically' }, ...layouts.map((l) => ({ value: l.id, text: l.name }))];
  return (
    <details className="ingest-options">
      <summary>Ingest options</summary>
      <div className="grid-2">
        <SelectField label="Dataset layout" value={state.layout} options={layoutOptions} onChange={(layout) => onChange({ ...state, layout })} disabled={disabled} />
        <NumberField
          label="Split seed"
          value={state.seed}
          integer
          min={0}
          onChange={(seed) => onChange({ ...state, seed })}
          disabled={disabled}
          hint="for datasets without an official split"
        />
      </div>
      <LabelFraction
        fraction={state.fraction}
        customPercent={state.customPercent}
        onChange={(fraction, customPercent) => onChange({ ...state, fraction, customPercent })}
        disabled={disabled}
      />
      <SelectField
        label="Study training list"
        value={state.studyTrainList}
        options={STUDY_LIST_OPTIONS}
        onChange={(studyTrainList) => onChange({ ...state, studyTrainList })}
        disabled={disabled}
      >
        When the study&apos;s split files (train_1.txt, train_10.txt, train_list.txt, val_list.txt, test_list.txt) come with the
        dataset; the label fraction above then applies to that list.
      </SelectField>
      <ChexpertFields choice={state.chexpert} onChange={(chexpert) => onChange({ ...state, chexpert })} disabled={disabled} />
      <label className="check">
        <input
          type="checkbox"
          checked={state.excludeOutOfDistribution}
          disabled={disabled}
          onChange={(e) => onChange({ ...state, excludeOutOfDistribution: e.target.checked })}
        />
        Leave out images that do not look like chest radiographs
      </label>
      <p className="muted">
        Every image is checked while it is decoded (colour, and how its grey levels and edges are laid out; see
        docs/ood-guard.md). Flagged images are listed in the ingest report; they are stored unless this box is ticked.
      </p>
    </details>
  );
}
