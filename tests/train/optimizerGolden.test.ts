/**
 * Two full optimizer steps against torch.optim.SGD (momentum 0.9, weight decay) and torch.optim.AdamW
 * (decoupled weight decay), both with MAE's layer-wise lr decay groups (0.65) and no decay on 1-D tensors,
 * pos_embed and cls_token, for full fine-tuning and LoRA. The UPDATE of every trainable tensor
 * (after - before) is compared, far stricter than comparing the tensors themselves; the float32 rounding
 * floor of reading an update back is added to 1e-4 (see roundingFloor in src/harness/numerics.ts).
 * The same code runs in the browser harness (e2e/numerics.spec.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizerUpdateErrors, TOLERANCE } from '../../src/harness/numerics';
import { compareWithGolden } from '../../src/train/selfCheck';
import { loadForward, loadOptimizer } from '../model/goldenFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = loadOptimizer();

describe('optimizer steps against PyTorch', () => {
  it.each(g.runs.map((r, i) => [r.method, r.optimizer.kind, i] as const))('%s with %s: two steps', async (_m, _k, i) => {
    const run = g.runs[i];
    const errors = await optimizerUpdateErrors(g, run);
    expect(errors.length).toBe(Object.keys(run.after[0]).length * run.optimizer.lrs.length);
    for (const e of errors) {
      // the floor only matters where an update is tiny next to its tensor; it never dwarfs the bar
      expect(e.allowed, `${e.tensor} step ${e.step}`).toBeLessThan(2 * TOLERANCE.update);
      expect(e.relError, `${e.tensor} step ${e.step}`).toBeLessThan(e.allowed);
    }
  });

  it('the skipped entries are only the key bias (softmax is blind to a constant added to every key)', () => {
    const d = g.config.embedDim;
    for (const run of g.runs) {
      for (const [name, idx] of Object.entries(run.vanishingGradient)) {
        expect(name).toMatch(/^blocks\.\d+\.attn\.qkv\.bias$/);
        expect(idx).toEqual(Array.from({ length: d }, (_, j) => d + j));
      }
    }
  });

  it('the tfjs gradient of the key bias is rounding noise too (why Adam cannot be compared there)', async () => {
    const f = loadForward('vit_gray_lora_qv');
    const fft = f.results.fft!;
    const keyBias = fft.grads['blocks.0.attn.qkv.bias'];
    const values = 'data' in keyBias ? keyBias.data : [];
    const d = f.config.embedDim;
    const k = values.slice(d, 2 * d).map(Math.abs);
    const q = values.slice(0, d).map(Math.abs);
    expect(Math.max(...k)).toBeLessThan(1e-9 * Math.max(...q));
    expect((await compareWithGolden(f, 'fft', fft)).gradRelErrors['blocks.0.attn.qkv.bias']).toBeLessThan(TOLERANCE.grads);
  });
});
