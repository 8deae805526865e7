/**
 * One optimisation step, and the gradient computation it is made of. Gradients are taken only with respect
 * to the tensors that train: tfjs's tape then prunes the backward pass to the paths reaching them, so a LoRA
 * step never computes the weight gradients of frozen matrices (see tests/train/frozenGradients.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Method } from '../model/config';
import { trainableBaseParams } from '../model/params';
import type { ForwardOptions, VitModel } from '../model/vit';
import { bceWithLogits } from './loss';
import type { Optimizer } from './optimizers';

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

/** Loss and gradients of the trainable tensors, keyed by their names. Caller owns the returned tensors. */
export function lossAndGradients(
  model: VitModel,
  trainable: Map<string, tf.Variable>,
  inputs: StepInputs,
  forward: ForwardOptions = {},
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const names = new Map<string, string>();
  for (const [name, v] of trainable) names.set(v.name, name);
  // When only the classifier trains (linear probe), run the frozen backbone before the gradient tape starts:
  // tfjs then records (and keeps alive) just fc_norm + head instead of the whole network's activations.
  const classifierOnly = [...trainable.keys()].every((n) => n.startsWith('fc_norm.') || n.startsWith('head.'));
  const features = classifierOnly ? model.pooledFeatures(inputs.x, forward) : null;
  const { value, grads } = tf.variableGrads(
    () => bceWithLogits(features ? model.classify(features) : model.forward(inputs.x, forward), inputs.y, inputs.mask),
    [...trainable.values()],
  );
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
): tf.Scalar {
  return tf.tidy(() => {
    const { loss, grads } = lossAndGradients(model, trainable, inputs, forward);
    optimizer.step(trainable, grads, lr);
    return loss;
  });
}
