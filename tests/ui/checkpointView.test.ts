import { describe, expect, it } from 'vitest';
import { VIT_PRESETS } from '../../src/run/vitConfig';
import { checkpointLabel, describeArch, formatBytes, presetForArch, progressFraction, progressText } from '../../src/ui/view/checkpointView';
import type { CheckpointInfo } from '../../src/run/modelFiles';

const VIT_B = { imgSize: 224, patchSize: 16, embedDim: 768, depth: 12, numHeads: 12 };

function info(arch: CheckpointInfo['arch']): CheckpointInfo {
  return { id: 'c1', fileName: 'mrm.pth', sourceFormat: 'pth', arch, loaded: [], ignored: [], missing: [], newlyInitialised: [], notes: [] };
}

describe('presetForArch', () => {
  it('finds the preset with the same numbers', () => {
    expect(presetForArch(VIT_B)).toBe('vit_base_patch16');
    const { imgSize, patchSize, embedDim, depth, numHeads } = VIT_PRESETS.tiny;
    expect(presetForArch({ imgSize, patchSize, embedDim, depth, numHeads })).toBe('tiny');
  });
  it('matches no preset when any number differs (input size included: pos_embed is resized then)', () => {
    expect(presetForArch({ ...VIT_B, imgSize: 384 })).toBeUndefined();
    expect(presetForArch({ ...VIT_B, patchSize: 8 })).toBeUndefined();
    expect(presetForArch({ ...VIT_B, depth: 6 })).toBeUndefined();
  });
});

describe('checkpoint texts', () => {
  it('describes an architecture and labels a cached checkpoint by preset or numbers', () => {
    expect(describeArch(VIT_B)).toBe('224 px input, patch 16, width 768, 12 blocks, 12 heads');
    expect(checkpointLabel(info(VIT_B))).toBe('mrm.pth (ViT-B/16)');
    expect(checkpointLabel(info({ ...VIT_B, depth: 6 }))).toBe('mrm.pth (224 px input, patch 16, width 768, 6 blocks, 12 heads)');
  });
  it('formats byte counts in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(343_982_080)).toBe('344 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
  });
  it('reports progress by bytes, by tensors when bytes are unknown, never above 1', () => {
    const p = { tensorsDone: 40, tensorsTotal: 152, bytesDone: 86_000_000, bytesTotal: 344_000_000, current: 'blocks.3.attn.qkv.weight' };
    expect(progressFraction(p)).toBeCloseTo(0.25, 12);
    expect(progressFraction({ ...p, bytesTotal: 0 })).toBeCloseTo(40 / 152, 12);
    expect(progressFraction({ ...p, bytesDone: 400_000_000 })).toBe(1);
    expect(progressFraction({ ...p, bytesTotal: 0, tensorsTotal: 0 })).toBe(0);
    expect(progressText(p)).toBe('40 of 152 tensors · 86 MB of 344 MB · blocks.3.attn.qkv.weight');
  });
});
