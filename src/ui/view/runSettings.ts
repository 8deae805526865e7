/**
 * Everything the Model / method panel edits, its defaults, its validation and its conversion to the worker's
 * RunConfig. Pure; tested in tests/ui/runSettings.test.ts. Field names are RunConfig's (one word per setting).
 */
import { presetForArch } from './checkpointView';
import { RECIPES, recipeValues, type RecipeId } from '../../run/recipes';
import type { RunConfig } from '../../run/records';
import type { CheckpointInfo, ImportedAdapterInfo } from '../../run/modelFiles';
import { LORA_ALPHA_RANGE, LORA_RANK_RANGE, STUDY_LORA, type LoraConfig, type Method } from '../../run/loraConfig';
export type LabSettings = Omit<RunConfig, 'datasetId'> & { recipe: RecipeId };

const DEFAULT_TOTAL_STEPS = 200;

export function defaultSettings(): LabSettings {
  const lora: LoraConfig = { ...STUDY_LORA, targets: { ...STUDY_LORA.targets, qkv: [...STUDY_LORA.targets.qkv] } };
  return {
    method: 'lora',
    preset: 'tiny',
    lora,
    // The bundled MAE-pretrained backbone is the tiny preset's: LoRA on random weights has nothing to adapt.
    initialisation: 'pretrained-demo',
    recipe: 'mrm-sgd',
    ...recipeValues('mrm-sgd', 'lora', DEFAULT_TOTAL_STEPS),
    totalSteps: DEFAULT_TOTAL_STEPS,
    batchSize: 16,
    evalEvery: 20,
    evalMaxImages: 128,
    augment: true,
    seed: 1,
  };
}

/** Re-applies the chosen recipe (after the recipe, the method or the number of steps changed). */
export function withRecipe(s: LabSettings, recipe: RecipeId): LabSettings {
  return { ...s, recipe, ...recipeValues(recipe, s.method, s.totalSteps) };
}

/** The recipe's learning rate differs per method (the study tunes LoRA and FFT separately). */
export function withMethod(s: LabSettings, method: Method): LabSettings {
  return { ...s, method, baseLr: RECIPES[s.recipe].baseLr[method] };
}

/**
 * Initialise from a cached checkpoint: its id goes to the worker, and the model size follows its architecture
 * when a preset matches (otherwise the worker builds the inferred architecture and ignores the preset).
 */
export function withCheckpoint(s: LabSettings, info: CheckpointInfo): LabSettings {
  return { ...s, initialisation: 'checkpoint', checkpointId: info.id, preset: presetForArch(info.arch) ?? s.preset };
}

/**
 * A new model size: where a pretrained backbone exists for it (a cached checkpoint of that architecture), it becomes
 * the initialisation; otherwise the settings keep theirs.
 */
export function withPreset(s: LabSettings, preset: LabSettings['preset'], cached: CheckpointInfo[]): LabSettings {
  const pretrained = [...cached].reverse().find((c) => presetForArch(c.arch) === preset);
  if (pretrained && s.initialisation === 'random') return withCheckpoint({ ...s, preset }, pretrained);
  return { ...s, preset };
}

/** An imported PEFT adapter starts the next run: LoRA with the adapter's r, lora_alpha and scaling rule. */
export function withImportedAdapter(s: LabSettings, adapter: ImportedAdapterInfo): LabSettings {
  const base = s.method === 'lora' ? s : withMethod(s, 'lora');
  return { ...base, lora: { ...base.lora, r: adapter.r, lora_alpha: adapter.lora_alpha, use_rslora: adapter.use_rslora } };
}

/** The peak learning rate the schedule reaches, after MAE's batch rule when it applies. */
export function effectivePeakLr(s: Pick<LabSettings, 'baseLr' | 'scaleLrByBatch' | 'batchSize'>): number {
  return s.scaleLrByBatch ? (s.baseLr * s.batchSize) / 256 : s.baseLr;
}

function isPositiveInt(v: number): boolean {
  return Number.isInteger(v) && v > 0;
}

/** Human-readable problems that block "Start training"; empty when the settings can run. */
export function settingsProblems(s: LabSettings): string[] {
  const out: string[] = [];
  if (!isPositiveInt(s.totalSteps)) out.push('Steps must be a whole number above 0.');
  if (!isPositiveInt(s.batchSize) || s.batchSize > 1024) out.push('Batch size must be a whole number from 1 to 1024.');
  if (!isPositiveInt(s.evalEvery)) out.push('"Evaluate every" must be a whole number of steps above 0.');
  if (!isPositiveInt(s.evalMaxImages)) out.push('Validation images per evaluation must be a whole number above 0.');
  if (!(s.baseLr > 0 && Number.isFinite(s.baseLr))) out.push('Learning rate must be above 0.');
  if (!(s.minLr >= 0 && s.minLr <= s.baseLr)) out.push('Minimum learning rate must be between 0 and the learning rate.');
  if (!(s.momentum >= 0 && s.momentum < 1)) out.push('Momentum must be in [0, 1).');
  if (!(s.weightDecay >= 0)) out.push('Weight decay must be 0 or more.');
  if (!(s.layerDecay > 0 && s.layerDecay <= 1)) out.push('Layer decay must be in (0, 1].');
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0 && s.warmupSteps < s.totalSteps)) {
    out.push('Warm-up steps must be a whole number below the number of steps.');
  }
  if (!(s.dropPath >= 0 && s.dropPath < 1)) out.push('Drop path must be in [0, 1).');
  if (!Number.isInteger(s.seed)) out.push('Seed must be a whole number.');
  if (s.method === 'lora') out.push(...loraProblems(s.lora));
  if (s.initialisation === 'checkpoint' && !s.checkpointId) out.push('Load a checkpoint (or pick a cached one) first.');
  if (s.initialisation === 'pretrained-demo' && s.preset !== 'tiny') out.push('The pretrained demo backbone exists for the Tiny demo model size only.');
  return out;
}

function loraProblems(l: LoraConfig): string[] {
  const out: string[] = [];
  if (!(Number.isInteger(l.r) && l.r >= LORA_RANK_RANGE.min && l.r <= LORA_RANK_RANGE.max)) {
    out.push(`LoRA rank must be a whole number from ${LORA_RANK_RANGE.min} to ${LORA_RANK_RANGE.max}.`);
  }
  if (!(l.lora_alpha >= LORA_ALPHA_RANGE.min && l.lora_alpha <= LORA_ALPHA_RANGE.max)) {
    out.push(`LoRA alpha must be from ${LORA_ALPHA_RANGE.min} to ${LORA_ALPHA_RANGE.max}.`);
  }
  if (!(l.lora_dropout >= 0 && l.lora_dropout < 1)) out.push('LoRA dropout must be in [0, 1).');
  const t = l.targets;
  if (t.qkv.length === 0 && !t.proj && !t.fc1 && !t.fc2) out.push('Choose at least one LoRA target.');
  return out;
}

export function toRunConfig(s: LabSettings, datasetId: string): RunConfig {
  const { recipe: _recipe, checkpointId, ...rest } = s;
  void _recipe;
  const config: RunConfig = { ...rest, datasetId, lora: { ...s.lora, targets: { ...s.lora.targets, qkv: [...s.lora.targets.qkv] } } };
  // A checkpoint picked earlier stays remembered in the settings but reaches the worker only when it is used.
  if (s.initialisation === 'checkpoint' && checkpointId) config.checkpointId = checkpointId;
  return config;
}
