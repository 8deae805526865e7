/**
 * One optimisation step, and the gradient computation it is made of. Gradients are taken only with respect
 * to the tensors that train: tfjs's tape then prunes the backward pass to the paths reaching them, so a LoRA
 * step never computes the weight gradients of frozen matrices (see tests/train/frozenGradients.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { trainableBaseParams } from '../run/paramCount';
import type { ForwardOptions, VitModel } from '../model/vit';
import { bceCount, bceWithLogits, bceWithLogitsSum } from './loss';
import type { Optimizer } from './optimizers';
import type { Method } from '../run/loraConfig';

/** name -> variable for everything that trains under `method` (LoRA tensors included for 'lora'). */
export function trainableVariables(model: VitModel, method: Method): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const name of trainableBaseParams(model.cfg, method)) out.set(name, model.p(name));
  if (method === 'lora') {
    if (!model.lora) throw new Error('method is LoRA but the model has no adapter');
    for (const [name, v] of model.lora.tensors) out.set(name, v);
  }
  return out;
}

export interface StepInputs {
  /** [B, C, H, W] normalised */
  x: tf.Tensor4D;
  /** [B, K] 0/1 */
  y: tf.Tensor2D;
  /** [B, K] 1 where the label counts */
  mask?: tf.Tensor2D;
}

/**
 * Loss and gradients of the trainable tensors, keyed by their names. Caller owns the returned tensors.
 *
 * `microBatch` < batch accumulates the gradients over slices of that many images (gradient accumulation):
 * tfjs keeps every intermediate of a gradient computation alive until it ends, so a ViT-Ti step at 224 px,
 * batch 32, would need ~11 GiB, past WASM's 4 GiB heap. Each slice's summed loss is divided by the count of the
 * whole batch, so loss and gradients are those of the whole batch up to float rounding; only the random draws
 * of drop-path / LoRA dropout differ (they are per sample either way).
 */
export function lossAndGradients(
  model: VitModel,
  trainable: Map<string, tf.Variable>,
  inputs: StepInputs,
  forward: ForwardOptions = {},
  microBatch?: number,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const batch = inputs.x.shape[0];
  if (microBatch !== undefined && !(Number.isInteger(microBatch) && microBatch >= 1)) {
    throw new Error(`micro-batch must be a whole number >= 1, got ${microBatch}`);
  }
  const slice = microBatch && microBatch < batch ? microBatch : batch;
  if (slice === batch) return sliceGradients(model, trainable, inputs, forward, null);
  const count = bceCount(inputs.y, inputs.mask);
  let loss: tf.Scalar | null = null;
  const grads: Record<string, tf.Tensor> = {};
  for (let start = 0; start < batch; start += slice) {
    // The last slice may be shorter: every slice is divided by the whole batch's count, so it is still exact.
    const size = Math.min(slice, batch - start);
    const part = tf.tidy(() => {
      const rows = <T extends tf.Tensor>(t: T) => tf.slice(t, start, size) as T;
      const mask = inputs.mask ? rows(inputs.mask) : undefined;
      // Each slice draws its own dropout masks (seeded per slice when the step is seeded).
      const sliceForward = forward.seed === undefined ? forward : { ...forward, seed: forward.seed + start };
      return sliceGradients(model, trainable, { x: rows(inputs.x), y: rows(inputs.y), mask }, sliceForward, count);
    });
    loss = accumulate(loss, part.loss);
    for (const [name, g] of Object.entries(part.grads)) grads[name] = accumulate(grads[name] ?? null, g);
  }
  count.dispose();
  return { loss: loss!, grads };
}

/** sum + next, disposing both inputs (the running sum is the only tensor kept between slices). */
function accumulate<T extends tf.Tensor>(sum: T | null, next: T): T {
  if (sum === null) return next;
  const out = tf.add(sum, next) as T;
  sum.dispose();
  next.dispose();
  return out;
}

/** Gradients for one batch, or for one slice of it whose summed loss is divided by the whole batch's `count`. */
function sliceGradients(
  model: VitModel,
  trainable: Map<string, tf.Variable>,
  inputs: StepInputs,
  forward: ForwardOptions,
  count: tf.Scalar | null,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const names = new Map<string, string>();
  for (const [name, v] of trainable) names.set(v.name, name);
  // When only the classifier trains (linear probe), run the frozen backbone before the gradient tape starts:
  // tfjs then records (and keeps alive) just fc_norm + head instead of the whole network's activations.
  const classifierOnly = [...trainable.keys()].every((n) => n.startsWith('fc_norm.') || n.startsWith('head.'));
  const features = classifierOnly ? model.pooledFeatures(inputs.x, forward) : null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = features ? model.classify(features) : model.forward(inputs.x, forward);
    return count ? tf.div(bceWithLogitsSum(logits, inputs.y, inputs.mask), count) : bceWithLogits(logits, inputs.y, inputs.mask);
  }, [...trainable.values()]);
  features?.dispose();
  const byName: Record<string, tf.Tensor> = {};
  for (const [varName, g] of Object.entries(grads)) byName[names.get(varName)!] = g;
  return { loss: value, grads: byName };
}

/** One step: gradients, then the optimizer update. Returns the loss as a tensor (read it asynchronously). */
export function trainStep(
  model: VitModel,
  trainable: Map<string, tf.Variable>,
  optimizer: Optimizer,
  inputs: StepInputs,
  lr: number,
  forward: ForwardOptions = {},
  microBatch?: number,
): tf.Scalar {
  return tf.tidy(() => {
    const { loss, grads } = lossAndGradients(model, trainable, inputs, forward, microBatch);
    optimizer.step(trainable, grads, lr);
    return loss;
  });
}
