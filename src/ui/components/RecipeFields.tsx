/**
 * The optimisation recipe: a preset ("MRM-style (SGD)", "MAE-style (AdamW)") fills the fields, every field stays
 * editable. The schedule is linear warm-up then half-cycle cosine to the minimum lr (study.md, "Recipe").
 */
import { formatMetric } from '../view/format';
import { RECIPE_IDS, RECIPES, recipeValues, type RecipeId } from '../../run/recipes';
import { effectivePeakLr, withRecipe, type LabSettings } from '../view/runSettings';
import { NumberField } from './NumberField';
import { SelectField, type SelectOption } from './SelectField';
import type { OptimizerName } from '../../run/records';

const RECIPE_OPTIONS: SelectOption<RecipeId>[] = RECIPE_IDS.map((id) => ({ value: id, text: RECIPES[id].label }));
const OPTIMIZER_OPTIONS: SelectOption<OptimizerName>[] = [
  { value: 'sgd', text: 'SGD with momentum' },
  { value: 'adamw', text: 'AdamW' },
];

interface Props {
  settings: LabSettings;
  onChange(next: LabSettings): void;
  locked: boolean;
  onEvalEveryLive(n: number): void;
}

export function RecipeFields({ settings: s, onChange, locked, onEvalEveryLive }: Props) {
  const set = <K extends keyof LabSettings>(key: K) => (value: LabSettings[K]) => onChange({ ...s, [key]: value });
  // Warm-up is a fraction of the run in both recipes, so it follows the number of steps.
  const setSteps = (totalSteps: number) =>
    onChange({ ...s, totalSteps, warmupSteps: Math.min(recipeValues(s.recipe, s.method, totalSteps).warmupSteps, totalSteps - 1) });
  return (
    <>
      <fieldset className="recipe" disabled={locked}>
        <legend>Recipe</legend>
        <div className="grid-2">
          <SelectField label="Recipe preset" value={s.recipe} options={RECIPE_OPTIONS} onChange={(id) => onChange(withRecipe(s, id))} />
          <SelectField label="Optimizer" value={s.optimizer} options={OPTIMIZER_OPTIONS} onChange={set('optimizer')} />
          <NumberField label="Steps" value={s.totalSteps} integer min={1} onChange={setSteps} />
          <NumberField label="Batch size" value={s.batchSize} integer min={1} max={1024} onChange={set('batchSize')} />
          <NumberField
            label="Learning rate"
            value={s.baseLr}
            min={0}
            onChange={set('baseLr')}
            hint={s.scaleLrByBatch ? `Peak lr = lr × batch / 256 = ${formatMetric(effectivePeakLr(s))}` : undefined}
          />
          <NumberField label="Minimum lr" value={s.minLr} min={0} onChange={set('minLr')} />
          <NumberField label="Warm-up" hint="steps" value={s.warmupSteps} integer min={0} onChange={set('warmupSteps')} />
          <NumberField label="Momentum" value={s.momentum} min={0} max={0.999} step={0.01} onChange={set('momentum')} hint={s.optimizer === 'adamw' ? 'Used as AdamW β1.' : undefined} />
          <NumberField label="Weight decay" value={s.weightDecay} min={0} step={0.01} onChange={set('weightDecay')} />
          <NumberField label="Layer decay" value={s.layerDecay} min={0.01} max={1} step={0.05} onChange={set('layerDecay')} hint="1 = off" />
          <NumberField label="Drop path" value={s.dropPath} min={0} max={0.99} step={0.05} onChange={set('dropPath')} />
          <NumberField label="Training seed" value={s.seed} integer onChange={set('seed')} />
        </div>
        <div className="checks">
          <label className="check">
            <input type="checkbox" checked={s.scaleLrByBatch} onChange={(e) => onChange({ ...s, scaleLrByBatch: e.target.checked })} />
            Scale learning rate by batch / 256
          </label>
          <label className="check">
            <input type="checkbox" checked={s.augment} onChange={(e) => onChange({ ...s, augment: e.target.checked })} />
            Augment (random resized crop, flip)
          </label>
        </div>
      </fieldset>
      <div className="grid-2">
        <NumberField
          label="Evaluate every"
          value={s.evalEvery}
          integer
          min={1}
          hint="steps; can change while training"
          onChange={(n) => {
            onChange({ ...s, evalEvery: n });
            if (locked) onEvalEveryLive(n);
          }}
        />
        <NumberField
          label="Validation images per evaluation"
          value={s.evalMaxImages}
          integer
          min={1}
          disabled={locked}
          onChange={set('evalMaxImages')}
        />
      </div>
    </>
  );
}
