import { describe, expect, it } from 'vitest';
import { STUDY_LORA, type LoraConfig } from '../../src/run/loraConfig';
import { countParams } from '../../src/run/paramCount';
import { makeVitConfig } from '../../src/run/vitConfig';
import { loraFormula, loraParamFormula, trainingText, vitText } from '../../src/ui/view/explanations';

describe('explanations filled in with the current numbers', () => {
  it('the LoRA update and scaling, plain and rsLoRA', () => {
    expect(loraFormula({ r: 8, lora_alpha: 32, use_rslora: false })).toEqual({ rule: 'alpha / r', scaling: '32 / 8 = 4', update: 'W + 4 · B · A', value: 4 });
    expect(loraFormula({ r: 16, lora_alpha: 8, use_rslora: true })).toMatchObject({ rule: 'alpha / √r', scaling: '8 / √16 = 2', update: 'W + 2 · B · A' });
    expect(loraFormula({ r: 3, lora_alpha: 1, use_rslora: false }).scaling).toBe('1 / 3 = 0.3333');
  });

  it('the parameter formula: the tiny preset with the study adapter, worked by hand', () => {
    // Tiny: 2 blocks, width 64; q and v of attn.qkv: 4 matrices of 64 x 64, each r (64 + 64) = 8 x 128 = 1,024.
    const f = loraParamFormula(makeVitConfig('tiny', 14), STUDY_LORA);
    expect(f.lines).toEqual([{ count: 4, what: 'attn.qkv (q, v)', in: 64, out: 64, params: 4096, text: '4 × 8 × (64 + 64) = 4,096' }]);
    // fc_norm 2 x 64 and head 64 x 14 + 14.
    expect(f.classifier).toBe(128 + 64 * 14 + 14);
    expect(f.trainable).toBe(4096 + 1038);
    expect(f.sum.startsWith('4,096 + 1,038 = 5,134 of ')).toBe(true);
  });

  it.each([
    ['vit_base_patch16', { ...STUDY_LORA, r: 4 }],
    ['vit_small_patch16', { ...STUDY_LORA, r: 33, targets: { qkv: ['k'], proj: true, fc1: true, fc2: true } }],
    ['tiny', { ...STUDY_LORA, r: 64, targets: { qkv: ['q', 'k', 'v'], proj: false, fc1: false, fc2: true } }],
  ] as [Parameters<typeof makeVitConfig>[0], LoraConfig][])('its terms add up to the count of the page (%s)', (preset, lora) => {
    const cfg = makeVitConfig(preset, 5);
    const f = loraParamFormula(cfg, lora);
    expect(f.adapter + f.classifier).toBe(countParams(cfg, 'lora', lora).trainable);
    expect(f.trainable).toBe(countParams(cfg, 'lora', lora).trainable);
    expect(f.total).toBe(countParams(cfg, 'lora', lora).total);
    for (const l of f.lines) expect(l.params).toBe(l.count * lora.r * (l.in + l.out));
  });

  it('the ViT patches and the training step use the model and run numbers', () => {
    const [patches, blocks] = vitText(makeVitConfig('vit_base_patch16', 14));
    expect(patches).toContain('224 × 224-pixel input into square patches of 16 × 16 pixels: 14 × 14 = 196 patches');
    expect(blocks).toContain('list of 768 numbers');
    expect(blocks).toContain('12 transformer blocks');
    const [step, every] = trainingText({ batchSize: 16, warmupSteps: 10, totalSteps: 200, evalEvery: 20 });
    expect(step).toContain('a batch of 16 training images');
    expect(step).toContain('first 10 steps');
    expect(every).toContain('Every 20 steps');
  });
});
