/**
 * Section 2: method, model size, initialisation, and the recipe. Everything here is fixed once a run starts,
 * except "Evaluate every", which the running trainer accepts (setEvalEvery).
 */
import { METHOD_LABELS, PRESET_LABELS, type Method, type VitPresetName } from '../../model/config';
import type { Initialisation } from '../../workers/protocol';
import { RECIPES } from '../recipes';
import type { LabSettings } from '../runSettings';
import { LoraOptions } from './LoraOptions';
import { RecipeFields } from './RecipeFields';
import { SelectField, type SelectOption } from './SelectField';

const METHOD_OPTIONS: SelectOption<Method>[] = (Object.keys(METHOD_LABELS) as Method[]).map((m) => ({ value: m, text: METHOD_LABELS[m] }));
const PRESET_OPTIONS: SelectOption<VitPresetName>[] = (Object.keys(PRESET_LABELS) as VitPresetName[]).map((p) => ({
  value: p,
  text: PRESET_LABELS[p],
}));
// Pretrained weights and checkpoints arrive with the checkpoint loader (issue 5); until then only random works.
const INIT_OPTIONS: SelectOption<Initialisation>[] = [
  { value: 'random', text: 'Random initialisation' },
  { value: 'pretrained-demo', text: 'Pretrained demo backbone', disabled: true },
  { value: 'checkpoint', text: 'Load checkpoint…', disabled: true },
];

interface Props {
  settings: LabSettings;
  onChange(next: LabSettings): void;
  /** A run is active: only "Evaluate every" stays editable. */
  locked: boolean;
  onEvalEveryLive(n: number): void;
}

export function ModelPanel({ settings, onChange, locked, onEvalEveryLive }: Props) {
  const setMethod = (method: Method) => onChange({ ...settings, method, baseLr: RECIPES[settings.recipe].baseLr[method] });
  return (
    <section className="panel">
      <h2>2. Model and method</h2>
      <div className="grid-2">
        <SelectField label="Method" value={settings.method} options={METHOD_OPTIONS} onChange={setMethod} disabled={locked} />
        <SelectField
          label="Model size"
          value={settings.preset}
          options={PRESET_OPTIONS}
          onChange={(preset) => onChange({ ...settings, preset })}
          disabled={locked}
        />
      </div>
      <SelectField
        label="Initialisation"
        value={settings.initialisation}
        options={INIT_OPTIONS}
        onChange={(initialisation) => onChange({ ...settings, initialisation })}
        disabled={locked}
      >
        {settings.initialisation === 'random' && (
          <p className="notice">The backbone starts from random weights (no pretrained model loaded).</p>
        )}
        <p className="muted">Pretrained demo backbone and checkpoint loading are not available in this build yet.</p>
      </SelectField>
      {settings.method === 'lora' && <LoraOptions settings={settings} onChange={onChange} locked={locked} />}
      <RecipeFields settings={settings} onChange={onChange} locked={locked} onEvalEveryLive={onEvalEveryLive} />
    </section>
  );
}
