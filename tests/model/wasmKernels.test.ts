/**
 * The WASM BatchMatMul replacement (src/backends/wasmKernels.ts) on tfjs's real WASM backend in Node:
 * every transpose combination, batched (per-entry and stock-loop paths) and broadcast shapes agree with a
 * plain float64 triple loop; nothing stays allocated in the backend; and the ViT goldens from PyTorch still
 * hold on WASM with it installed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWasmKernels } from '../../src/backends/wasmKernels';
import { compareWithGolden } from '../../src/train/selfCheck';
import { FORWARD_FIXTURES, loadForward } from './goldenFixtures';

beforeAll(async () => {
  installWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Reference product in float64 with the same broadcasting of leading (batch) axes as tf.matMul. */
function reference(a: Float32Array, sa: number[], b: Float32Array, sb: number[], ta: boolean, tb: boolean): Float64Array {
  const [ra, ca] = sa.slice(-2);
  const [rb, cb] = sb.slice(-2);
  const m = ta ? ca : ra;
  const k = ta ? ra : ca;
  const n = tb ? rb : cb;
  const batchA = sa.slice(0, -2).reduce((p, x) => p * x, 1);
  const batchB = sb.slice(0, -2).reduce((p, x) => p * x, 1);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let e = 0; e < batch; e++) {
    const oa = (batchA === 1 ? 0 : e) * ra * ca;
    const ob = (batchB === 1 ? 0 : e) * rb * cb;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[oa + (ta ? p * ca + i : i * ca + p)] * b[ob + (tb ? j * cb + p : p * cb + j)];
        out[e * m * n + i * n + j] = sum;
      }
  }
  return out;
}

/** x[begin : begin + size] by nested index arithmetic, in row-major order. */
function sliceByHand(x: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1));
  const out: number[] = [];
  const walk = (d: number, offset: number) => {
    if (d === shape.length) return void out.push(x[offset]);
    for (let i = 0; i < size[d]; i++) walk(d + 1, offset + (begin[d] + i) * strides[d]);
  };
  walk(0, 0);
  return out;
}

describe('WASM Slice replacement', () => {
  const SLICES: [number[], number[], number[]][] = [
    [[10], [3], [5]],
    [[6, 8], [2, 0], [3, 8]], // contiguous rows
    [[6, 8], [1, 2], [4, 5]], // strided
    [[4, 5, 6], [1, 0, 2], [2, 5, 3]],
    [[3, 4, 5, 6], [0, 1, 1, 0], [3, 2, 3, 6]],
    [[2, 3, 4, 5, 6], [1, 0, 2, 1, 3], [1, 3, 2, 4, 2]],
    [[4, 6], [0, 0], [0, 6]], // empty
  ];
  it.each(SLICES)('%j from %j size %j', async (shape, begin, size) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
    const before = tf.engine().backend.numDataIds();
    const got = tf.slice(x, begin, size);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    expect(got.shape).toEqual(size);
    expect(Array.from(await got.data())).toEqual(sliceByHand((await x.data()) as Float32Array, shape, begin, size));
    tf.dispose([x, got]);
  });

  it('slices int32 and bool tensors too', async () => {
    const ints = tf.range(0, 24, 1, 'int32').reshape([4, 6]);
    const got = tf.slice(ints, [1, 2], [2, 3]);
    expect(got.dtype).toBe('int32');
    expect(Array.from(await got.data())).toEqual([8, 9, 10, 14, 15, 16]);
    const bools = tf.tensor2d([[true, false, true], [false, true, false]], [2, 3], 'bool');
    const row = tf.slice(bools, [1, 0], [1, 3]);
    expect(row.dtype).toBe('bool');
    expect(Array.from(await row.data())).toEqual([0, 1, 0]);
    tf.dispose([ints, got, bools, row]);
  });

  it('split and its gradient (concat) round-trip through it', async () => {
    const x = tf.randomNormal([7, 9], 0, 1, 'float32', 8);
    const parts = tf.split(x, [2, 3, 4], 1);
    expect(parts.map((p) => p.shape)).toEqual([[7, 2], [7, 3], [7, 4]]);
    const xs = (await x.data()) as Float32Array;
    expect(Array.from(await parts[1].data())).toEqual(sliceByHand(xs, [7, 9], [0, 2], [7, 3]));
    const back = tf.concat(parts, 1);
    expect(Array.from(await back.data())).toEqual(Array.from(xs));
    const input = tf.randomNormal([6, 2]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.split(t, 3, 0)[1], 2)))(input);
    expect(Array.from(await grad.data())).toEqual([0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0]);
    tf.dispose([x, ...parts, back, input, grad]);
  });
});

describe('WASM Identity replacement', () => {
  it('a clone shares memory and outlives its source', async () => {
    const x = tf.randomNormal([5, 7], 0, 1, 'float32', 31);
    const values = Array.from(await x.data());
    const before = tf.engine().backend.numDataIds();
    const copy = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(before); // no new buffer
    x.dispose();
    expect(Array.from(await copy.data())).toEqual(values);
    copy.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before - 1);
  });
});

const CASES: [number[], number[], boolean, boolean][] = [
  // 2-D: forward (x W^T), input gradient (dy W), weight gradient (dy^T x), and both transposed
  [[64, 24], [40, 24], false, true],
  [[64, 40], [40, 24], false, false],
  [[64, 40], [64, 24], true, false],
  // weight gradients with dy narrower than x (x^T·dy computed, then transposed) and as wide
  [[50, 8], [50, 48], true, false],
  [[50, 48], [50, 48], true, false],
  [[12, 30], [20, 12], true, true],
  // attention-shaped batches: above the per-entry threshold, and small ones left to the stock loop
  [[2, 3, 40, 32], [2, 3, 40, 32], false, true],
  [[2, 3, 40, 40], [2, 3, 40, 32], false, false],
  [[2, 3, 40, 40], [2, 3, 40, 32], true, false],
  [[2, 3, 40, 32], [2, 3, 40, 40], true, false],
  [[4, 5, 7], [4, 7, 3], false, false],
  // small batches left to the stock loop, with each transpose; both transposed on the per-entry path; 3-D batch of 1
  [[4, 7, 5], [4, 7, 3], true, false],
  [[4, 5, 7], [4, 3, 7], false, true],
  [[2, 3, 32, 40], [2, 3, 40, 32], true, true],
  [[1, 30, 20], [1, 20, 10], false, false],
  // broadcast batch axes
  [[1, 5, 7], [4, 3, 7], false, true],
  [[2, 5, 7], [7, 3], false, false],
];

describe('WASM BatchMatMul replacement', () => {
  it.each(CASES)('%j x %j (transposeA %s, transposeB %s) matches a float64 reference', async (sa, sb, ta, tb) => {
    const a = tf.randomNormal(sa, 0, 1, 'float32', 11);
    const b = tf.randomNormal(sb, 0, 1, 'float32', 12);
    const before = tf.engine().backend.numDataIds();
    const product = tf.matMul(a, b, ta, tb);
    const got = await product.data();
    product.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    const want = reference((await a.data()) as Float32Array, sa, (await b.data()) as Float32Array, sb, ta, tb);
    expect(got.length).toBe(want.length);
    let err = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      err = Math.max(err, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    expect(err / scale).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  });

  it('rejects mismatched inner dimensions like the stock kernel', () => {
    const a = tf.zeros([2, 3, 40, 40]);
    const b = tf.zeros([2, 3, 30, 40]);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes/);
    tf.dispose([a, b]);
  });

  it('replaced the stock kernels', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc.name).toBe('fast');
    expect(tf.getKernel('Slice', 'wasm')?.kernelFunc.name).toBe('slice');
    expect(tf.getKernel('SplitV', 'wasm')?.kernelFunc.name).toBe('split');
    expect(tf.getKernel('Identity', 'wasm')?.kernelFunc.name).toBe('identity');
  });

  it('per-entry products leave their inputs intact and free what they allocate, run after run', async () => {
    const a = tf.randomNormal([2, 3, 40, 40], 0, 1, 'float32', 21);
    const b = tf.randomNormal([2, 3, 40, 32], 0, 1, 'float32', 22);
    const aBefore = Array.from(await a.data());
    const bBefore = Array.from(await b.data());
    const before = tf.engine().backend.numDataIds();
    const firstProduct = tf.matMul(a, b);
    const first = await firstProduct.array();
    firstProduct.dispose();
    // a second product of other tensors in between reuses the memory the first one freed
    tf.tidy(() => tf.matMul(tf.randomNormal([6, 40, 40]), tf.randomNormal([6, 40, 32]))).dispose();
    const product = tf.matMul(a, b);
    expect(await product.array()).toEqual(first);
    product.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    expect(Array.from(await a.data())).toEqual(aBefore);
    expect(Array.from(await b.data())).toEqual(bBefore);
    tf.dispose([a, b]);
  });

  const g = loadForward(FORWARD_FIXTURES[0]);
  it.each(['lora', 'fft'] as const)('PyTorch goldens hold on WASM (%s: logits 1e-5, gradients 1e-4)', async (method) => {
    const c = await compareWithGolden(g, method, g.results[method]!);
    expect(c.logitsRelError).toBeLessThan(1e-5);
    for (const [name, err] of Object.entries(c.gradRelErrors)) expect(err, name).toBeLessThan(1e-4);
  });
});
