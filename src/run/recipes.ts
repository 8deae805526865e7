/**
 * The study's two fine-tuning recipes (shared/docs/study.md, "Recipe"), as presets that fill the optimiser fields.
 * Pure data + one function; the page lets the user edit every value afterwards.
 */
import type { OptimizerName, RunConfig } from './records';
import type { Method } from './loraConfig';

export type RecipeId = 'mrm-sgd' | 'mae-adamw';

export interface Recipe {
  id: RecipeId;
  label: string;
  optimizer: OptimizerName;
  /** Base learning rate per method: the study tunes LoRA and FFT separately; linear probe reuses LoRA's. */
  baseLr: Record<Method, number>;
  /** MAE's rule lr = blr * batch / 256; MRM's recipe states the lr directly. */
  scaleLrByBatch: boolean;
  minLr: number;
  momentum: number;
  weightDecay: number;
  layerDecay: number;
  /** Warm-up as a fraction of all steps: 5 warm-up epochs of 100 (MRM) or of 400 (MAE). */
  warmupFraction: number;
  dropPath: number;
}

export const RECIPES: Record<RecipeId, Recipe> = {
  // MRM + LoRA: SGD momentum 0.9, lr 0.05, 100 epochs; MRM + FFT: lr 0.01, 200 epochs. No weight decay is listed.
  'mrm-sgd': {
    id: 'mrm-sgd',
    label: 'MRM-style (SGD)',
    optimizer: 'sgd',
    baseLr: { lora: 0.05, fft: 0.01, linear: 0.05 },
    scaleLrByBatch: false,
    minLr: 1e-6,
    momentum: 0.9,
    weightDecay: 0,
    layerDecay: 1,
    warmupFraction: 5 / 100,
    dropPath: 0.1,
  },
  // MAE + LoRA: AdamW, blr 3e-3, wd 0.05, layer decay 0.65, 400 epochs; MAE + FFT: blr 5e-4.
  'mae-adamw': {
    id: 'mae-adamw',
    label: 'MAE-style (AdamW)',
    optimizer: 'adamw',
    baseLr: { lora: 3e-3, fft: 5e-4, linear: 3e-3 },
    scaleLrByBatch: true,
    minLr: 1e-6,
    momentum: 0.9,
    weightDecay: 0.05,
    layerDecay: 0.65,
    warmupFraction: 5 / 400,
    dropPath: 0.1,
  },
};

export const RECIPE_IDS = Object.keys(RECIPES) as RecipeId[];

/** The RunConfig fields a recipe fills. */
export type RecipeValues = Pick<
  RunConfig,
  'optimizer' | 'baseLr' | 'scaleLrByBatch' | 'minLr' | 'momentum' | 'weightDecay' | 'layerDecay' | 'warmupSteps' | 'dropPath'
>;

/** The optimiser fields a recipe sets for a method and run length (at least one warm-up step). */
export function recipeValues(id: RecipeId, method: Method, totalSteps: number): RecipeValues {
  const r = RECIPES[id];
  return {
    optimizer: r.optimizer,
    baseLr: r.baseLr[method],
    scaleLrByBatch: r.scaleLrByBatch,
    minLr: r.minLr,
    momentum: r.momentum,
    weightDecay: r.weightDecay,
    layerDecay: r.layerDecay,
    warmupSteps: Math.max(1, Math.round(r.warmupFraction * totalSteps)),
    dropPath: r.dropPath,
  };
}
