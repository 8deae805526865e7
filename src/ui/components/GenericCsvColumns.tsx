/**
 * The generic-CSV step (issue 4): before the ingest starts, the user sees the columns of the dropped CSV with the
 * lab's guess (src/data/layouts/genericCsv.ts suggestColumns) and picks the image path column and the labels:
 * binary label columns, or one column listing findings ("Cardiomegaly|Effusion").
 */
import './GenericCsvColumns.css';
import { useId } from 'react';
import { genericCsvProblems, type GenericCsvChoice, choiceFromPreview } from '../view/ingestChoices';
import { SelectField, type SelectOption } from './SelectField';
import { type CsvPreview } from '../../run/layoutOptions';

const NONE = '';

interface Props {
  previews: CsvPreview[];
  choice: GenericCsvChoice;
  onChange(next: GenericCsvChoice): void;
  onIngest(): void;
  onCancel(): void;
}

function columnOptions(header: string[], noneText?: string): SelectOption<string>[] {
  const columns = header.map((c) => ({ value: c, text: c }));
  return noneText === undefined ? [{ value: NONE, text: 'Choose a column' }, ...columns] : [{ value: NONE, text: noneText }, ...columns];
}

export function GenericCsvColumns({ previews, choice, onChange, onIngest, onCancel }: Props) {
  const headingId = useId();
  const preview = previews.find((p) => p.path === choice.csvPath);
  const header = preview?.header ?? [];
  const problems = genericCsvProblems(choice, preview);
  const labelCandidates = header.filter((c) => c !== choice.pathColumn && c !== choice.patientColumn && c !== choice.splitColumn);
  const toggleLabel = (column: string, on: boolean) =>
    onChange({ ...choice, labelColumns: header.filter((c) => (c === column ? on : choice.labelColumns.includes(c))) });
  return (
    <div className="csv-columns" role="group" aria-labelledby={headingId}>
      <h3 id={headingId}>CSV columns</h3>
      <p className="muted">No known dataset layout: the images are listed in a CSV. Check the columns the lab guessed.</p>
      {previews.length > 1 && (
        <SelectField
          label="CSV file"
          value={choice.csvPath}
          options={previews.map((p) => ({ value: p.path, text: p.path }))}
          onChange={(path) => {
            const next = previews.find((p) => p.path === path);
            if (next) onChange(choiceFromPreview(next));
          }}
        />
      )}
      <div className="grid-2">
        <SelectField label="Image path column" value={choice.pathColumn} options={columnOptions(header)} onChange={(pathColumn) => onChange({ ...choice, pathColumn })} />
        <SelectField
          label="Patient column"
          value={choice.patientColumn}
          options={columnOptions(header, 'None (guess)')}
          onChange={(patientColumn) => onChange({ ...choice, patientColumn })}
        >
          Keeps a patient&apos;s images in one split.
        </SelectField>
        <SelectField
          label="Split column"
          value={choice.splitColumn}
          options={columnOptions(header, 'None (guess)')}
          onChange={(splitColumn) => onChange({ ...choice, splitColumn })}
        >
          train / val / test per row, when the CSV has an official split.
        </SelectField>
        <SelectField
          label="Labels are"
          value={choice.labelMode}
          options={[
            { value: 'columns', text: 'Columns of 0 / 1' },
            { value: 'list', text: 'One column listing findings' },
          ]}
          onChange={(labelMode) => onChange({ ...choice, labelMode })}
        />
      </div>
      {choice.labelMode === 'columns' ? (
        <fieldset className="ingest-fieldset">
          <legend>Label columns</legend>
          <div className="checks">
            {labelCandidates.map((c) => (
              <label key={c} className="check">
                <input type="checkbox" checked={choice.labelColumns.includes(c)} onChange={(e) => toggleLabel(c, e.target.checked)} />
                {c}
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <SelectField
          label="Findings column"
          value={choice.labelListColumn}
          options={columnOptions(header)}
          onChange={(labelListColumn) => onChange({ ...choice, labelListColumn })}
        >
          Findings separated by &quot;|&quot;; &quot;No Finding&quot; means no label is positive.
        </SelectField>
      )}
      {problems.length > 0 && (
        <ul className="blockers">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <button type="button" className="primary" disabled={problems.length > 0} onClick={onIngest}>
          Ingest with these columns
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
