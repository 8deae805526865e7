/**
 * Start-up gradient self-check: a tiny fixed ViT (weights shipped in selfCheckGolden.json, made by
 * scripts/make_golden.py with PyTorch in float64) runs one forward/backward pass on the CURRENT tfjs backend,
 * and its loss and gradients are compared with PyTorch's. A backend whose kernels are wrong (tfjs issues report
 * all-zero gradients from WebGPU on some devices) fails here, before a user trains on it.
 * Also holds the small golden-file helpers the test suite and the in-browser harness share.
 */
import * as tf from '@tensorflow/tfjs';
import type { VitConfig } from '../run/vitConfig';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { lossAndGradients, trainableVariables } from './step';
import golden from './selfCheckGolden.json';
import type { LoraConfig, Method } from '../run/loraConfig';
/** A tensor as the golden files store it: decimal values, or small integers times a power-of-two scale. */
export type GoldenTensor = { shape: number[]; data: number[] } | { shape: number[]; ints: number[]; scale: number };

export interface GoldenResult {
  logits: GoldenTensor;
  loss: number;
  grads: Record<string, GoldenTensor>;
}

/** The part every model golden shares (see scripts/golden_cases.py). */
export interface GoldenModelCase {
  config: VitConfig;
  lora: LoraConfig | null;
  weights: Record<string, GoldenTensor>;
  loraTensors: Record<string, GoldenTensor> | null;
  input: GoldenTensor;
  targets: GoldenTensor;
}

export interface SelfCheckGolden extends GoldenModelCase {
  results: Partial<Record<Method, GoldenResult>>;
}

export function goldenValues(t: GoldenTensor): Float32Array {
  return 'data' in t ? Float32Array.from(t.data) : Float32Array.from(t.ints, (v) => v * t.scale);
}

export function goldenTensor(t: GoldenTensor): tf.Tensor {
  return tf.tensor(goldenValues(t), t.shape, 'float32');
}

/** ||actual - expected|| / ||expected|| (Euclidean norms over the whole tensor), in float64. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    ref += expected[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-30);
}

/** The golden's model on the current backend; with `withLora` its adapter is attached (unmerged). */
export function modelFromGolden(g: GoldenModelCase, withLora: boolean): VitModel {
  const params = new Map<string, tf.Tensor>();
  for (const [name, t] of Object.entries(g.weights)) params.set(name, goldenTensor(t));
  const model = new VitModel(g.config, params);
  if (withLora) {
    if (!g.lora || !g.loraTensors) throw new Error('this golden has no LoRA adapter');
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, t] of Object.entries(g.loraTensors)) tensors.set(name, goldenTensor(t));
    model.lora = LoraAdapter.fromTensors(g.config, g.lora, tensors);
    for (const t of tensors.values()) if (!(t instanceof tf.Variable)) t.dispose();
  }
  return model;
}

export interface MethodComparison {
  lossRelError: number;
  logitsRelError: number;
  /** per trainable tensor; a name missing from either side counts as Infinity */
  gradRelErrors: Record<string, number>;
}

/** Runs loss + gradients of `method` on the current backend and compares them with the golden. */
export async function compareWithGolden(g: GoldenModelCase, method: Method, expected: GoldenResult): Promise<MethodComparison> {
  const model = modelFromGolden(g, method === 'lora');
  const x = goldenTensor(g.input) as tf.Tensor4D;
  const y = goldenTensor(g.targets) as tf.Tensor2D;
  const owned: tf.Tensor[] = [];
  try {
    const logits = model.forward(x);
    const { loss, grads } = lossAndGradients(model, trainableVariables(model, method), { x, y });
    owned.push(logits, loss, ...Object.values(grads));
    const gradRelErrors: Record<string, number> = {};
    for (const [name, t] of Object.entries(expected.grads)) {
      gradRelErrors[name] = grads[name] ? relativeError(await grads[name].data(), goldenValues(t)) : Infinity;
    }
    for (const name of Object.keys(grads)) if (!(name in expected.grads)) gradRelErrors[name] = Infinity;
    const out = {
      lossRelError: relativeError(await loss.data(), [expected.loss]),
      logitsRelError: relativeError(await logits.data(), goldenValues(expected.logits)),
      gradRelErrors,
    };
    return out;
  } finally {
    // Also on a failed read-back (e.g. a lost WebGPU device while the backend is being chosen).
    tf.dispose(owned);
    tf.dispose([x, y]);
    model.dispose();
  }
}

/** Relative tolerance for float32 kernels on any backend (WebGPU included) against a float64 reference. */
export const SELF_CHECK_TOLERANCE = 1e-3;

/**
 * Loss and gradients of a tiny LoRA model and of the same model under full fine-tuning, on the current backend,
 * against PyTorch. ok = every relative error (loss, logits, each gradient tensor) is within 1e-3.
 */
export async function gradientSelfCheck(): Promise<{ ok: boolean; maxRelError: number; detail: string }> {
  const g = golden as unknown as SelfCheckGolden;
  let maxRelError = 0;
  let worst = '';
  try {
    for (const method of ['lora', 'fft'] as const) {
      const c = await compareWithGolden(g, method, g.results[method]!);
      const errors: [string, number][] = [['loss', c.lossRelError], ['logits', c.logitsRelError], ...Object.entries(c.gradRelErrors)];
      for (const [name, err] of errors) {
        // NaN must fail, so compare with !(err <= max) rather than err > max.
        if (!(err <= maxRelError)) {
          maxRelError = Number.isNaN(err) ? Infinity : err;
          worst = `${method} ${name}`;
        }
      }
    }
  } catch (e) {
    return { ok: false, maxRelError: Infinity, detail: `self-check failed to run on ${tf.getBackend()}: ${(e as Error).message}` };
  }
  const ok = maxRelError <= SELF_CHECK_TOLERANCE;
  const detail = `${tf.getBackend()}: largest relative error ${maxRelError.toExponential(2)} (${worst}) vs PyTorch, tolerance ${SELF_CHECK_TOLERANCE}`;
  return { ok, maxRelError, detail };
}
