/**
 * In-browser numerics checks: the PyTorch goldens of tests/fixtures/golden (scripts/make_golden.py) run on a
 * chosen tfjs backend — logits, loss, gradients for LoRA / FFT / linear probe, two optimizer steps of SGD and
 * AdamW, and the start-up self-check — so that e2e/numerics.spec.ts can hold WebGPU and WASM to the same bar
 * as tests/model and tests/train hold the CPU backend in Node.
 * Goldens are fetched from the page's own origin (Vite `?url` assets), not bundled into the app.
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW, SgdMomentum, type Optimizer } from '../train/optimizers';
import { paramGroupFor } from '../train/paramGroups';
import {
  compareWithGolden,
  goldenTensor,
  goldenValues,
  gradientSelfCheck,
  modelFromGolden,
  relativeError,
  type GoldenModelCase,
  type GoldenResult,
  type GoldenTensor,
} from '../train/selfCheck';
import { trainStep, trainableVariables } from '../train/step';
import grayQvUrl from '../../tests/fixtures/golden/vit_gray_lora_qv.json?url';
import rgbWideUrl from '../../tests/fixtures/golden/vit_rgb_lora_wide.json?url';
import rgbKRsUrl from '../../tests/fixtures/golden/vit_rgb_lora_k_rslora.json?url';
import optimizerUrl from '../../tests/fixtures/golden/optimizer_steps.json?url';
import type { LoraConfig, Method } from '../run/loraConfig';
export type HarnessBackend = 'webgpu' | 'wasm' | 'cpu';

export interface GoldenCheck {
  name: string;
  maxRelError: number;
  /** the bound maxRelError was held to */
  tolerance: number;
  ok: boolean;
}

/** The bar: logits and loss within 1e-5 relative, gradients (and optimizer updates) within 1e-4. */
export const TOLERANCE = { logits: 1e-5, loss: 1e-5, grads: 1e-4, update: 1e-4 } as const;

export interface ForwardGolden extends GoldenModelCase {
  lora: LoraConfig;
  loraTensors: Record<string, GoldenTensor>;
  mask: GoldenTensor;
  results: Partial<Record<Method, GoldenResult>>;
  masked: { loss: number; grads: Record<string, GoldenTensor> };
  merged: Record<string, GoldenTensor>;
  variants: (GoldenResult & { lora: LoraConfig })[];
  /** torch.linalg.svd of scaling * B A per adapter, keyed by its lora_B name (r values, descending) */
  loraSingularValues: Record<string, number[]>;
}

export interface OptimizerSettings {
  kind: 'sgd' | 'adamw';
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay: number;
  layerDecay: number;
  lrs: number[];
}

export interface OptimizerRun {
  method: Method;
  optimizer: OptimizerSettings;
  /** trainable tensors after step 1, 2, ... */
  after: Record<string, GoldenTensor>[];
  /** flat indices whose gradient is zero in exact arithmetic (only rounding noise in float32): Adam cannot be compared there */
  vanishingGradient: Record<string, number[]>;
}

export interface OptimizerGolden extends GoldenModelCase {
  lora: LoraConfig;
  loraTensors: Record<string, GoldenTensor>;
  runs: OptimizerRun[];
}

export const FORWARD_GOLDEN_URLS: Record<string, string> = {
  vit_gray_lora_qv: grayQvUrl,
  vit_rgb_lora_wide: rgbWideUrl,
  vit_rgb_lora_k_rslora: rgbKRsUrl,
};

function check(name: string, maxRelError: number, tolerance: number): GoldenCheck {
  // !(x <= tol) so that NaN fails
  return { name, maxRelError, tolerance, ok: !(maxRelError > tolerance) && !Number.isNaN(maxRelError) };
}

/** Logits, loss and gradients of every method (and every adapter variant) of one forward golden. */
export async function forwardChecks(name: string, g: ForwardGolden): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const cases: [string, GoldenModelCase, Method, GoldenResult][] = Object.entries(g.results).map(([m, r]) => [`${name} ${m}`, g, m as Method, r]);
  g.variants.forEach((v, i) => cases.push([`${name} lora variant ${i}`, { ...g, lora: v.lora }, 'lora', v]));
  for (const [label, golden, method, expected] of cases) {
    const c = await compareWithGolden(golden, method, expected);
    out.push(check(`${label} logits`, c.logitsRelError, TOLERANCE.logits));
    out.push(check(`${label} loss`, c.lossRelError, TOLERANCE.loss));
    out.push(check(`${label} grads (${Object.keys(c.gradRelErrors).length} tensors)`, Math.max(...Object.values(c.gradRelErrors)), TOLERANCE.grads));
  }
  return out;
}

/** Drops the listed flat indices. */
export function withoutIndices(values: ArrayLike<number>, skip: readonly number[] | undefined): number[] {
  const drop = new Set(skip ?? []);
  return Array.from(values).filter((_, i) => !drop.has(i));
}

/**
 * An update read back as float32(after) - float32(before) carries up to half an ulp of each (|x| 2^-24),
 * whatever the optimizer does: for tensors with large values and small updates (pos_embed, cls_token under
 * layer decay) that floor is comparable to 1e-4, so it is added to the tolerance rather than hidden in it.
 */
export function roundingFloor(after: ArrayLike<number>, before: ArrayLike<number>, reference: ArrayLike<number>): number {
  let floor = 0;
  let ref = 0;
  for (let i = 0; i < reference.length; i++) {
    floor += ((Math.abs(after[i]) + Math.abs(before[i])) * 2 ** -24) ** 2;
    ref += reference[i] ** 2;
  }
  return Math.sqrt(floor) / Math.max(Math.sqrt(ref), 1e-30);
}

export function makeOptimizer(o: OptimizerSettings, depth: number): Optimizer {
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, depth, o.layerDecay);
  if (o.kind === 'sgd') return new SgdMomentum({ momentum: o.momentum!, weightDecay: o.weightDecay, group });
  return new AdamW({ beta1: o.beta1!, beta2: o.beta2!, eps: o.eps!, weightDecay: o.weightDecay, group });
}

export interface UpdateError {
  tensor: string;
  step: number;
  /** relative error of the update (after - before) against PyTorch's */
  relError: number;
  /** TOLERANCE.update plus the float32 rounding floor of this tensor's update */
  allowed: number;
}

/** Runs one golden optimizer run on the current backend; one entry per trainable tensor and step. */
export async function optimizerUpdateErrors(g: OptimizerGolden, run: OptimizerRun): Promise<UpdateError[]> {
  const model = modelFromGolden(g, run.method === 'lora');
  const trainable = trainableVariables(model, run.method);
  const optimizer = makeOptimizer(run.optimizer, g.config.depth);
  const x = goldenTensor(g.input) as tf.Tensor4D;
  const y = goldenTensor(g.targets) as tf.Tensor2D;
  const errors: UpdateError[] = [];
  try {
    const names = [...trainable.keys()];
    if (names.sort().join() !== Object.keys(run.after[0]).sort().join()) throw new Error(`trainable tensors differ from PyTorch's for ${run.method}`);
    let refBefore: Record<string, Float32Array> = {};
    for (const name of names) refBefore[name] = goldenValues(g.weights[name] ?? g.loraTensors[name]);
    for (const [step, lr] of run.optimizer.lrs.entries()) {
      const before: Record<string, Float32Array> = {};
      for (const [name, v] of trainable) before[name] = (await v.data()) as Float32Array;
      trainStep(model, trainable, optimizer, { x, y }, lr).dispose();
      const refAfter: Record<string, Float32Array> = {};
      for (const [name, v] of trainable) {
        const after = (await v.data()) as Float32Array;
        refAfter[name] = goldenValues(run.after[step][name]);
        // Adam turns the rounding noise of an exactly-zero gradient into +-lr: those entries are skipped
        const skip = run.optimizer.kind === 'adamw' ? run.vanishingGradient[name] : undefined;
        const ours = withoutIndices(after.map((a, j) => a - before[name][j]), skip);
        const theirs = withoutIndices(refAfter[name].map((a, j) => a - refBefore[name][j]), skip);
        const floor = roundingFloor(withoutIndices(after, skip), withoutIndices(before[name], skip), theirs);
        errors.push({ tensor: name, step: step + 1, relError: relativeError(ours, theirs), allowed: TOLERANCE.update + floor });
      }
      refBefore = refAfter;
    }
    return errors;
  } finally {
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

export async function optimizerChecks(g: OptimizerGolden): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  for (const run of g.runs) {
    const errors = await optimizerUpdateErrors(g, run);
    const worst = errors.reduce((w, e) => (!(e.relError / e.allowed <= w.relError / w.allowed) ? e : w));
    out.push(check(`${run.method} ${run.optimizer.kind} ${run.optimizer.lrs.length} steps (worst: ${worst.tensor} step ${worst.step})`, worst.relError, worst.allowed));
  }
  return out;
}

async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load golden ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function useBackend(backend: HarnessBackend): Promise<void> {
  if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const [plain, simd, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': plain.default,
      'tfjs-backend-wasm-simd.wasm': simd.default,
      'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
    });
  }
  // tf.setBackend resolves false (and tfjs silently keeps another backend) when e.g. no WebGPU adapter exists
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) throw new Error(`backend ${backend} is not available here (tfjs is on ${tf.getBackend()})`);
}

/** Every golden check on `backend`; throws if the backend cannot be set. */
export async function runGoldenChecks(backend: HarnessBackend): Promise<GoldenCheck[]> {
  await useBackend(backend);
  const results: GoldenCheck[] = [];
  for (const [name, url] of Object.entries(FORWARD_GOLDEN_URLS)) {
    results.push(...(await forwardChecks(name, await fetchJson<ForwardGolden>(url))));
  }
  results.push(...(await optimizerChecks(await fetchJson<OptimizerGolden>(optimizerUrl))));
  const self = await gradientSelfCheck();
  results.push(check(`gradientSelfCheck: ${self.detail}`, self.maxRelError, 1e-3));
  return results;
}
