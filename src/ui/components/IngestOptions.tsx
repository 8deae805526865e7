/**
 * The "Ingest options" of the dataset panel (issue 4): layout by hand, split seed, label fraction of the training
 * split, the study's training list when its split files are dropped, and CheXpert's label options.
 */
import { useId } from 'react';
import type { ChexpertChoice, StudyTrainList } from '../ingestChoices';
import { ChexpertFields } from './ChexpertFields';
import { NumberField } from './NumberField';
import { SelectField, type SelectOption } from './SelectField';

export const DETECT_LAYOUT = 'detect';

export interface IngestOptionsState {
  /** A layout id, or DETECT_LAYOUT. */
  layout: string;
  seed: number;
  studyTrainList: StudyTrainList;
  chexpert: ChexpertChoice;
}

const STUDY_LIST_OPTIONS: SelectOption<StudyTrainList>[] = [
  { value: 'largest', text: 'The largest list dropped' },
  { value: 'train_1', text: 'train_1.txt (1 % of the labels)' },
  { value: 'train_10', text: 'train_10.txt (10 %)' },
  { value: 'train_list', text: 'train_list.txt (100 %)' },
];

const FRACTIONS = ['1 %', '10 %', '100 %', 'Custom %'];

interface Props {
  state: IngestOptionsState;
  onChange(next: IngestOptionsState): void;
  layouts: { id: string; name: string }[];
  disabled: boolean;
}

/**
 * Shown but disabled: src/data/ingest.ts takes no label fraction yet (splits.ts has selectFraction, ingest does not
 * call it), and filtering the files before the ingest would change the random split itself.
 */
function LabelFraction() {
  const noteId = useId();
  return (
    <fieldset className="ingest-fieldset" disabled aria-describedby={noteId}>
      <legend>Label fraction of the training split</legend>
      <div className="checks">
        {FRACTIONS.map((f) => (
          <label key={f} className="check">
            <input type="radio" name={`${noteId}-fraction`} defaultChecked={f === '100 %'} />
            {f}
          </label>
        ))}
      </div>
      <p id={noteId} className="muted">
        Not available in this build: the ingest cannot take a fraction of the training split yet, so all of it is used. For
        the study&apos;s 1 % and 10 % subsets, drop its split files (train_1.txt, train_10.txt) with the dataset and choose
        the list below.
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
      <LabelFraction />
      <SelectField
        label="Study training list"
        value={state.studyTrainList}
        options={STUDY_LIST_OPTIONS}
        onChange={(studyTrainList) => onChange({ ...state, studyTrainList })}
        disabled={disabled}
      >
        When the study&apos;s split files (train_1.txt, train_10.txt, train_list.txt, val_list.txt, test_list.txt) come with the
        dataset.
      </SelectField>
      <ChexpertFields choice={state.chexpert} onChange={(chexpert) => onChange({ ...state, chexpert })} disabled={disabled} />
    </details>
  );
}
