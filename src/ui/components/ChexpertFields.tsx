/**
 * CheXpert ingest options (src/data/layouts/chexpert.ts): 5 competition labels or all 14, what an uncertain (-1)
 * label becomes per label (U-Ones / U-Zeros / U-Ignore, starting from the study's mapping), frontal views only.
 */
import './ChexpertFields.css';
import { UNCERTAIN_POLICY_TEXT, uncertainRows, type ChexpertChoice } from '../view/ingestChoices';
import { SelectField } from './SelectField';
import type { UncertainPolicy } from '../../run/layoutOptions';

const POLICIES: UncertainPolicy[] = ['ones', 'zeros', 'ignore'];

interface Props {
  choice: ChexpertChoice;
  onChange(next: ChexpertChoice): void;
  disabled: boolean;
}

export function ChexpertFields({ choice, onChange, disabled }: Props) {
  return (
    <fieldset className="ingest-fieldset" disabled={disabled}>
      <legend>CheXpert</legend>
      <div className="grid-2">
        <SelectField
          label="CheXpert labels"
          value={choice.labels}
          options={[
            { value: '5', text: '5 competition labels (the study)' },
            { value: '14', text: 'All 14 observations' },
          ]}
          onChange={(labels) => onChange({ ...choice, labels })}
        />
        <label className="check align-end">
          <input type="checkbox" checked={choice.frontalOnly} onChange={(e) => onChange({ ...choice, frontalOnly: e.target.checked })} />
          Frontal views only
        </label>
      </div>
      <table className="uncertain-table">
        <caption>Uncertain (-1) labels become</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Policy</th>
          </tr>
        </thead>
        <tbody>
          {uncertainRows(choice).map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>
                <select
                  aria-label={`Uncertain ${row.label}`}
                  value={row.policy}
                  onChange={(e) => onChange({ ...choice, uncertain: { ...choice.uncertain, [row.label]: e.target.value as UncertainPolicy } })}
                >
                  {POLICIES.map((p) => (
                    <option key={p} value={p}>
                      {`${UNCERTAIN_POLICY_TEXT[p]}${p === row.studyDefault ? ' (default)' : ''}`}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">U-Ignore leaves the label out of the loss and the AUROC for that image. Blank cells are negative.</p>
    </fieldset>
  );
}
