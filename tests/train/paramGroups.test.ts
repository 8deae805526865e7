/**
 * Layer-wise lr decay and weight-decay groups as MAE's util/lr_decay.param_groups_lrd (BEiT's rule):
 * layer 0 = patch_embed / cls_token / pos_embed, blocks.i = i + 1, the rest = depth + 1;
 * scale = decay ^ (depth + 1 - layer); no weight decay on 1-D tensors, pos_embed and cls_token.
 * (The optimizer goldens check the same rule end to end against torch param groups.)
 */
import { describe, expect, it } from 'vitest';
import { layerIdFor, paramGroupFor } from '../../src/train/paramGroups';

describe('param groups, ViT-B depth 12, decay 0.65', () => {
  it.each([
    ['patch_embed.proj.weight', [768, 3, 16, 16], 0, 0.65 ** 13, true],
    ['patch_embed.proj.bias', [768], 0, 0.65 ** 13, false],
    ['cls_token', [1, 1, 768], 0, 0.65 ** 13, false],
    ['pos_embed', [1, 197, 768], 0, 0.65 ** 13, false],
    ['blocks.0.attn.qkv.weight', [2304, 768], 1, 0.65 ** 12, true],
    ['blocks.0.attn.qkv.lora_A.q', [8, 768], 1, 0.65 ** 12, true],
    ['blocks.11.attn.qkv.lora_B.v', [768, 8], 12, 0.65, true],
    ['blocks.11.norm2.bias', [768], 12, 0.65, false],
    ['fc_norm.weight', [768], 13, 1, false],
    ['head.weight', [14, 768], 13, 1, true],
    ['head.bias', [14], 13, 1, false],
  ] as const)('%s', (name, shape, layer, scale, decay) => {
    expect(layerIdFor(name, 12)).toBe(layer);
    const group = paramGroupFor(name, shape, 12, 0.65);
    expect(group.lrScale).toBeCloseTo(scale, 14);
    expect(group.weightDecay).toBe(decay);
  });

  it('decay 1 means one lr for all', () => {
    expect(paramGroupFor('patch_embed.proj.weight', [768, 3, 16, 16], 12, 1).lrScale).toBe(1);
  });
});
