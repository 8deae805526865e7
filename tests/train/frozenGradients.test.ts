/**
 * Frozen tensors get no gradient work. Gradients are taken only w.r.t. the trainable variables, and tfjs's tape
 * keeps only the backward paths that reach them, so a LoRA step must never run a kernel whose output is the
 * gradient of a frozen weight matrix. tf.profile records every kernel with its output shapes: the weight-gradient
 * MatMuls ([out, in] outputs) appear in a full fine-tuning step and are absent from a LoRA or linear-probe step.
 * (The test config's weight shapes differ from every activation shape, so a shape identifies a weight gradient.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldenTensor, modelFromGolden } from '../../src/train/selfCheck';
import { lossAndGradients, trainableVariables } from '../../src/train/step';
import { loadForward } from '../model/goldenFixtures';
import { kernelMacs, matmulMacs } from '../../src/harness/matmulWork';
import type { Method } from '../../src/run/loraConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = loadForward('vit_gray_lora_qv');
const MATMUL = 'BatchMatMul';

interface StepProfile {
  matMuls: number;
  /** multiply-adds of all matrix products, as the benchmark counts them (src/harness/matmulWork.ts) */
  macs: number;
  /** multiply-adds x 2 of all MatMul kernels: 2 * size(a) * n for a: [..., m, k] (either transpose), out [..., m, n] */
  matMulFlops: number;
  kernels: number;
  matMulOutputShapes: Set<string>;
  /** output shapes of all kernels but Identity (the tape's copies of saved inputs, no arithmetic) */
  allOutputShapes: Set<string>;
  gradNames: string[];
}

async function profileStep(method: Method): Promise<StepProfile> {
  const model = modelFromGolden(g, method === 'lora');
  const x = goldenTensor(g.input) as tf.Tensor4D;
  const y = goldenTensor(g.targets) as tf.Tensor2D;
  const trainable = trainableVariables(model, method);
  let gradNames: string[] = [];
  const info = await tf.profile(() => {
    const { loss, grads } = lossAndGradients(model, trainable, { x, y });
    gradNames = Object.keys(grads);
    return [loss, ...Object.values(grads)];
  });
  tf.dispose(info.result as tf.Tensor[]);
  tf.dispose([x, y]);
  model.dispose();
  const matMuls = info.kernels.filter((k) => k.name === MATMUL);
  const flops = matMuls.reduce((sum, k) => {
    const out = k.outputShapes[0];
    const sizeA = k.inputShapes[0].reduce((a, b) => a * b, 1);
    return sum + 2 * sizeA * out[out.length - 1];
  }, 0);
  return {
    matMuls: matMuls.length,
    macs: matmulMacs(info.kernels),
    matMulFlops: flops,
    kernels: info.kernels.length,
    // a batched matmul of rank 3 with batch 1 is a 2-D product; drop the leading 1 to compare with weight shapes
    matMulOutputShapes: new Set(matMuls.flatMap((k) => k.outputShapes.map((s) => (s.length === 3 && s[0] === 1 ? s.slice(1) : s).join('x')))),
    allOutputShapes: new Set(info.kernels.filter((k) => k.name !== 'Identity').flatMap((k) => k.outputShapes.map((s) => s.join('x')))),
    gradNames,
  };
}

/** Shapes of the frozen 2-D weight matrices (as gradients would come out of a MatMul), incl. the flattened patch kernel. */
function frozenWeightShapes(): string[] {
  const d = g.config.embedDim;
  const p = g.config.patchSize;
  const out = new Set<string>([`${d}x${p * p}`]); // grayscale input: gradient of the channel-summed, flattened patch kernel
  for (const [name, t] of Object.entries(g.weights)) if (t.shape.length === 2 && !name.startsWith('head.')) out.add(t.shape.join('x'));
  return [...out];
}

/**
 * The multiply-adds a step cannot do without, counted from the architecture (not from tfjs): forward products,
 * then the backward products each method needs. Grayscale input: the patch product has C = 1.
 */
function necessaryMacs(method: Method): number {
  const { imgSize, patchSize: p, embedDim: d, depth, numHeads: heads, mlpRatio, numClasses: k } = g.config;
  const batch = g.input.shape[0];
  const n = (imgSize / p) ** 2;
  const tokens = batch * (n + 1);
  const linears = tokens * (3 * d * d + d * d + 2 * d * mlpRatio * d); // qkv, proj, fc1, fc2 of one block
  const attention = batch * heads * (n + 1) ** 2 * (d / heads); // one of QK^T, PV (or of their 4 gradients)
  const patch = batch * n * p * p * d;
  const head = batch * d * k;
  const forward = patch + depth * (linears + 2 * attention) + head;
  // every method trains head and fc_norm: the head's weight gradient and its input gradient
  if (method === 'linear') return forward + 2 * head;
  // all weight gradients (the patch kernel's too) and all input gradients but the image's
  if (method === 'fft') return forward + 2 * head + patch + depth * (2 * linears + 4 * attention);
  // LoRA on q and v of the fused qkv, one product through A_cat [2r, D] and one through B_cat [3D, 2r] per block
  const rank = 2 * g.lora.r;
  const adapterForward = tokens * d * rank + tokens * rank * 3 * d;
  // backward per block: the B_cat and A_cat gradients, the gradient into `down`, the input gradient through A_cat
  const adapterBackward = 2 * tokens * 3 * d * rank + 2 * tokens * rank * d;
  // input gradients of the frozen linears and attention, except block 0's qkv and adapter input (nothing below trains)
  const block0Input = tokens * 3 * d * d + tokens * rank * d;
  return forward + 2 * head + depth * (adapterForward + linears + 4 * attention + adapterBackward) - block0Input;
}

describe('frozen tensors get no gradient work', () => {
  it.each(['lora', 'fft', 'linear'] as const)('%s: the matrix products do exactly the multiply-adds the method needs', async (method) => {
    const p = await profileStep(method);
    expect(p.macs).toBe(necessaryMacs(method));
  });

  it('counts a product\'s multiply-adds whatever its transposes and batch', () => {
    const mm = (a: number[], b: number[], out: number[]) => kernelMacs({ name: 'BatchMatMul', inputShapes: [a, b], outputShapes: [out] });
    expect(mm([5, 7], [7, 3], [5, 3])).toBe(105);
    expect(mm([7, 5], [7, 3], [5, 3])).toBe(105); // transposeA
    expect(mm([5, 7], [3, 7], [5, 3])).toBe(105); // transposeB
    expect(mm([2, 4, 5, 7], [2, 4, 7, 3], [2, 4, 5, 3])).toBe(8 * 105);
    expect(mm([1, 5, 7], [6, 7, 3], [6, 5, 3])).toBe(6 * 105); // broadcast batch
    expect(kernelMacs({ name: 'Add', inputShapes: [[5, 7], [5, 7]], outputShapes: [[5, 7]] })).toBe(0);
  });

  it('a LoRA step runs no weight-gradient MatMul of a frozen matrix, and fewer MatMul FLOPs than an FFT step', async () => {
    const fft = await profileStep('fft');
    const lora = await profileStep('lora');
    const linear = await profileStep('linear');
    const frozen = frozenWeightShapes();
    expect(frozen.length).toBeGreaterThanOrEqual(5);
    // the detector sees them where they must be ...
    for (const shape of frozen) expect(fft.matMulOutputShapes.has(shape), `FFT computes ${shape}`).toBe(true);
    // ... and they are absent from the LoRA and linear-probe steps
    for (const shape of frozen) expect(lora.matMulOutputShapes.has(shape), `LoRA computes ${shape}`).toBe(false);
    for (const shape of frozen) expect(linear.matMulOutputShapes.has(shape), `linear probe computes ${shape}`).toBe(false);
    // LoRA skips the weight-gradient MatMuls (qkv, proj, fc1, fc2 per block, and the patch kernel) but adds
    // small ones of its own: per adapted part 2 forward and up to 4 backward. Counted in kernels that is MORE
    // work at this size; counted in arithmetic it is less, which is what the frozen gradients cost.
    expect(lora.matMulFlops).toBeLessThan(fft.matMulFlops);
    expect(linear.matMulFlops).toBeLessThan(lora.matMulFlops);
    console.info(`MatMul kernels per step: FFT ${fft.matMuls}, LoRA ${lora.matMuls}, linear probe ${linear.matMuls}; ` +
      `MatMul MFLOP: FFT ${(fft.matMulFlops / 1e6).toFixed(2)}, LoRA ${(lora.matMulFlops / 1e6).toFixed(2)}, ` +
      `linear probe ${(linear.matMulFlops / 1e6).toFixed(2)}`);
  });

  it('no kernel of a LoRA step outputs a frozen bias gradient (qkv.bias [3D], mlp.fc1.bias [4D])', async () => {
    const fft = await profileStep('fft');
    const lora = await profileStep('lora');
    for (const shape of [`${3 * g.config.embedDim}`, `${g.config.mlpRatio * g.config.embedDim}`]) {
      expect(fft.allOutputShapes.has(shape), `FFT computes [${shape}]`).toBe(true);
      expect(lora.allOutputShapes.has(shape), `LoRA computes [${shape}]`).toBe(false);
    }
  });

  it.each(['lora', 'fft', 'linear'] as const)('%s: the gradient map holds exactly the trainable names', async (method) => {
    const p = await profileStep(method);
    const model = modelFromGolden(g, method === 'lora');
    expect(p.gradNames.sort()).toEqual([...trainableVariables(model, method).keys()].sort());
    model.dispose();
  });

  it('a linear probe does not backpropagate into the transformer at all (no attention-sized kernels)', async () => {
    const p = await profileStep('linear');
    const fwd = await (async () => {
      const model = modelFromGolden(g, false);
      const x = goldenTensor(g.input) as tf.Tensor4D;
      const info = await tf.profile(() => model.forward(x));
      tf.dispose([x, info.result as tf.Tensor]);
      model.dispose();
      return info.kernels.filter((k) => k.name === MATMUL).length;
    })();
    // forward MatMuls + head backward: its weight gradient and its input gradient (for fc_norm), nothing upstream
    expect(p.matMuls).toBe(fwd + 2);
  });
});
