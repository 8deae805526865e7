import { describe, expect, it } from 'vitest';
import { RECIPES, recipeValues } from '../../src/run/recipes';
import { defaultSettings, effectivePeakLr, settingsProblems, toRunConfig, withCheckpoint, withImportedAdapter, withMethod, withPreset, withRecipe } from '../../src/ui/view/runSettings';
import { STUDY_LORA } from '../../src/run/loraConfig';

describe('default settings', () => {
  it('can start as they are: LoRA on the tiny preset from the pretrained demo backbone, the study adapter', () => {
    const s = defaultSettings();
    expect(settingsProblems(s)).toEqual([]);
    expect(s.method).toBe('lora');
    expect(s.preset).toBe('tiny');
    expect(s.initialisation).toBe('pretrained-demo');
    expect(s.lora).toEqual(STUDY_LORA);
    expect(s.lora).not.toBe(STUDY_LORA);
    expect(s.lora.targets.qkv).not.toBe(STUDY_LORA.targets.qkv);
  });
});

describe('model size', () => {
  const vitS = { id: 'vit-s.pth:1:1', fileName: 'vit-s.pth', sourceFormat: 'pth', arch: { imgSize: 224, patchSize: 16, embedDim: 384, depth: 12, numHeads: 6 }, loaded: [], ignored: [], missing: [], newlyInitialised: [], notes: [] };
  it('a size with a cached pretrained checkpoint starts from it instead of random weights', () => {
    const random = { ...defaultSettings(), initialisation: 'random' as const };
    expect(withPreset(random, 'vit_small_patch16', [vitS])).toMatchObject({ preset: 'vit_small_patch16', initialisation: 'checkpoint', checkpointId: vitS.id });
    expect(withPreset(random, 'vit_base_patch16', [vitS])).toMatchObject({ preset: 'vit_base_patch16', initialisation: 'random' });
  });
});

describe('recipes', () => {
  it('MAE-style fills AdamW with the study values and the batch rule', () => {
    const s = withRecipe({ ...defaultSettings(), totalSteps: 400 }, 'mae-adamw');
    expect(s).toMatchObject({ recipe: 'mae-adamw', optimizer: 'adamw', baseLr: 3e-3, weightDecay: 0.05, layerDecay: 0.65, scaleLrByBatch: true, warmupSteps: 5 });
    expect(effectivePeakLr({ ...s, batchSize: 64 })).toBeCloseTo(7.5e-4, 15);
  });
  it('MRM-style fills SGD with momentum 0.9 and per-method lr, no batch rule', () => {
    const s = withRecipe({ ...defaultSettings(), method: 'fft' }, 'mrm-sgd');
    expect(s).toMatchObject({ optimizer: 'sgd', baseLr: 0.01, momentum: 0.9, layerDecay: 1, scaleLrByBatch: false });
    expect(effectivePeakLr(s)).toBe(0.01);
  });
  it('always leaves at least one warm-up step', () => {
    expect(recipeValues('mae-adamw', 'lora', 10).warmupSteps).toBe(1);
    expect(RECIPES['mrm-sgd'].label).toBe('MRM-style (SGD)');
    expect(RECIPES['mae-adamw'].label).toBe('MAE-style (AdamW)');
  });
});

describe('settingsProblems', () => {
  it('names each bad value', () => {
    const s = defaultSettings();
    expect(settingsProblems({ ...s, warmupSteps: s.totalSteps })).toEqual(['Warm-up steps must be a whole number below the number of steps.']);
    expect(settingsProblems({ ...s, batchSize: 0 })[0]).toMatch(/Batch size/);
    expect(settingsProblems({ ...s, baseLr: 0 })[0]).toMatch(/Learning rate/);
    expect(settingsProblems({ ...s, lora: { ...s.lora, r: 65 } })[0]).toMatch(/LoRA rank/);
    expect(settingsProblems({ ...s, lora: { ...s.lora, targets: { qkv: [], proj: false, fc1: false, fc2: false } } })[0]).toMatch(/target/);
  });
  it('ignores LoRA values when the method is not LoRA', () => {
    const s = defaultSettings();
    expect(settingsProblems({ ...s, method: 'fft', lora: { ...s.lora, r: 0 } })).toEqual([]);
  });
});

describe('toRunConfig', () => {
  it('adds the dataset, drops the UI-only recipe id, copies the adapter config', () => {
    const s = defaultSettings();
    const c = toRunConfig(s, 'ds-1');
    expect(c.datasetId).toBe('ds-1');
    expect('recipe' in c).toBe(false);
    expect(c.lora).toEqual(s.lora);
    expect(c.lora.targets).not.toBe(s.lora.targets);
    expect(Object.keys(c).sort()).toEqual(
      [
        'augment', 'baseLr', 'batchSize', 'datasetId', 'dropPath', 'evalEvery', 'evalMaxImages', 'initialisation', 'layerDecay', 'lora',
        'method', 'minLr', 'momentum', 'optimizer', 'preset', 'scaleLrByBatch', 'seed', 'totalSteps', 'warmupSteps', 'weightDecay',
      ].sort(),
    );
  });
});

describe('checkpoint initialisation', () => {
  const arch = { imgSize: 224, patchSize: 16, embedDim: 384, depth: 12, numHeads: 6 };
  const info = { id: 'ckpt-1', fileName: 'vit_small.safetensors', sourceFormat: 'safetensors', arch, loaded: [], ignored: [], missing: [], newlyInitialised: [], notes: [] };

  it('needs a checkpoint before it can start', () => {
    const s = { ...defaultSettings(), initialisation: 'checkpoint' as const };
    expect(settingsProblems(s)).toEqual(['Load a checkpoint (or pick a cached one) first.']);
    expect(settingsProblems(withCheckpoint(s, info))).toEqual([]);
  });
  it('follows the checkpoint’s architecture when a preset matches, keeps the preset otherwise', () => {
    expect(withCheckpoint(defaultSettings(), info)).toMatchObject({ initialisation: 'checkpoint', checkpointId: 'ckpt-1', preset: 'vit_small_patch16' });
    expect(withCheckpoint(defaultSettings(), { ...info, arch: { ...arch, depth: 4 } }).preset).toBe('tiny');
  });
  it('sends the checkpoint id only when the run initialises from it', () => {
    const picked = withCheckpoint(defaultSettings(), info);
    expect(toRunConfig(picked, 'ds').checkpointId).toBe('ckpt-1');
    expect('checkpointId' in toRunConfig({ ...picked, initialisation: 'random' }, 'ds')).toBe(false);
  });
  it('offers the pretrained demo backbone for the tiny preset only', () => {
    const s = { ...defaultSettings(), initialisation: 'pretrained-demo' as const };
    expect(settingsProblems(s)).toEqual([]);
    expect(settingsProblems({ ...s, preset: 'vit_base_patch16' })[0]).toMatch(/Tiny demo model size only/);
  });
});

describe('withImportedAdapter', () => {
  const adapter = { r: 16, lora_alpha: 16, use_rslora: true, targets: ['qkv'], withHead: true, note: '' };
  it('switches to LoRA with the adapter’s r, lora_alpha and scaling rule and the recipe’s LoRA lr', () => {
    const s = withImportedAdapter({ ...defaultSettings(), method: 'fft', baseLr: 0.01 }, adapter);
    expect(s.method).toBe('lora');
    expect(s.baseLr).toBe(RECIPES['mrm-sgd'].baseLr.lora);
    expect(s.lora).toMatchObject({ r: 16, lora_alpha: 16, use_rslora: true, lora_dropout: STUDY_LORA.lora_dropout });
  });
  it('keeps a hand-set learning rate when the method already was LoRA', () => {
    expect(withImportedAdapter({ ...defaultSettings(), baseLr: 0.123 }, adapter).baseLr).toBe(0.123);
  });
  it('lets settingsProblems flag a rank the sliders cannot show', () => {
    expect(settingsProblems(withImportedAdapter(defaultSettings(), { ...adapter, r: 128 }))[0]).toMatch(/LoRA rank/);
  });
});

describe('withMethod', () => {
  it('takes the recipe’s learning rate for the method', () => {
    expect(withMethod(defaultSettings(), 'fft').baseLr).toBe(RECIPES['mrm-sgd'].baseLr.fft);
  });
});
