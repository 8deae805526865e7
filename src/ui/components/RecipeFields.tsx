/**
 * The optimisation recipe: a preset ("MRM-style (SGD)", "MAE-style (AdamW)") fills the fields, every field stays
 * editable. The schedule is linear warm-up then half-cycle cosine to the minimum lr (study.md, "Recipe").
 */
import { formatMetric } from '../view/format';
import { RECIPE_IDS, RECIPES, recipeValues, type RecipeId } from '../../run/recipes';
import { effectivePeakLr, withRecipe, type LabSettings } from '../view/runSettings';
import { NumberField } from './NumberField';
import { SelectField, type SelectOption } from './SelectField';
import { Shown } from './teaching/Shown';
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
          <Shown id="recipe">
            <SelectField name="recipe" label="Recipe preset" value={s.recipe} options={RECIPE_OPTIONS} onChange={(id) => onChange(withRecipe(s, id))} />
          </Shown>
          <Shown id="optimizer">
            <SelectField name="optimizer" label="Optimizer" value={s.optimizer} options={OPTIMIZER_OPTIONS} onChange={set('optimizer')} />
          </Shown>
          <Shown id="totalSteps">
            <NumberField name="totalSteps" label="Steps" value={s.totalSteps} integer min={1} onChange={setSteps} />
          </Shown>
          <Shown id="batchSize">
            <NumberField name="batchSize" label="Batch size" value={s.batchSize} integer min={1} max={1024} onChange={set('batchSize')} />
          </Shown>
          <Shown id="baseLr">
            <NumberField
              name="baseLr"
              label="Learning rate"
              value={s.baseLr}
              min={0}
              onChange={set('baseLr')}
              hint={s.scaleLrByBatch ? `Peak lr = lr × batch / 256 = ${formatMetric(effectivePeakLr(s))}` : undefined}
            />
          </Shown>
          <Shown id="minLr">
            <NumberField name="minLr" label="Minimum lr" value={s.minLr} min={0} onChange={set('minLr')} />
          </Shown>
          <Shown id="warmupSteps">
            <NumberField name="warmupSteps" label="Warm-up" hint="steps" value={s.warmupSteps} integer min={0} onChange={set('warmupSteps')} />
          </Shown>
          <Shown id="momentum">
            <NumberField name="momentum" label="Momentum" value={s.momentum} min={0} max={0.999} step={0.01} onChange={set('momentum')} hint={s.optimizer === 'adamw' ? 'Used as AdamW β1.' : undefined} />
          </Shown>
          <Shown id="weightDecay">
            <NumberField name="weightDecay" label="Weight decay" value={s.weightDecay} min={0} step={0.01} onChange={set('weightDecay')} />
          </Shown>
          <Shown id="layerDecay">
            <NumberField name="layerDecay" label="Layer decay" value={s.layerDecay} min={0.01} max={1} step={0.05} onChange={set('layerDecay')} hint="1 = off" />
          </Shown>
          <Shown id="dropPath">
            <NumberField name="dropPath" label="Drop path" value={s.dropPath} min={0} max={0.99} step={0.05} onChange={set('dropPath')} />
          </Shown>
          <Shown id="seed">
            <NumberField name="seed" label="Training seed" value={s.seed} integer onChange={set('seed')} />
          </Shown>
        </div>
        <div className="checks">
          <Shown id="scaleLrByBatch">
            <label className="check">
              <input type="checkbox" name="scaleLrByBatch" checked={s.scaleLrByBatch} onChange={(e) => onChange({ ...s, scaleLrByBatch: e.target.checked })} />
              Scale learning rate by batch / 256
            </label>
          </Shown>
          <Shown id="augment">
            <label className="check">
              <input type="checkbox" name="augment" checked={s.augment} onChange={(e) => onChange({ ...s, augment: e.target.checked })} />
              Augment (random resized crop, flip)
            </label>
          </Shown>
        </div>
      </fieldset>
      <div className="grid-2">
        <Shown id="evalEvery">
          <NumberField
            name="evalEvery"
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
        </Shown>
        <Shown id="evalMaxImages">
          <NumberField
            name="evalMaxImages"
            label="Validation images per evaluation"
            value={s.evalMaxImages}
            integer
            min={1}
            disabled={locked}
            onChange={set('evalMaxImages')}
          />
        </Shown>
      </div>
    </>
  );
}
