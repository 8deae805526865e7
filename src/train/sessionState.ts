/**
 * A running session's state as a RunCheckpoint (plain arrays), and back: the trainable tensors, the adapter's rank
 * and alpha, and (for a resume checkpoint) the optimizer state. Everything else a resumed run needs is a pure
 * function of the config and the step: the learning rate (schedule), the batch order (data/batches.ts) and every
 * random draw (seeded per step: stepSeed below).
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedArray, RunCheckpoint, CheckpointKind } from '../run/checkpoints';
import type { LoraConfig } from '../run/loraConfig';
import { hashString } from '../run/random';
import { LoraAdapter } from '../model/lora';
import type { VitModel } from '../model/vit';
import type { Optimizer } from './optimizers';

/** The seed of every random draw of step `step` (augmentation crops, drop-path, LoRA dropout): fixed per (run seed, step). */
export function stepSeed(runSeed: number, step: number): number {
  return hashString(`step:${step}`, runSeed);
}

async function toArrays(tensors: Map<string, tf.Tensor>): Promise<NamedArray[]> {
  const entries = [...tensors];
  const data = await Promise.all(entries.map(([, t]) => t.data() as Promise<Float32Array>));
  return entries.map(([name, t], i) => ({ name, shape: [...t.shape], data: data[i] }));
}

export interface CaptureOptions {
  kind: CheckpointKind;
  step: number;
  model: VitModel;
  trainable: Map<string, tf.Variable>;
  /** resume checkpoints only. */
  optimizer?: Optimizer;
  evalEvery?: number;
  val?: RunCheckpoint['val'];
}

export async function captureCheckpoint(o: CaptureOptions): Promise<RunCheckpoint> {
  const lora = o.model.lora;
  return {
    kind: o.kind,
    step: o.step,
    trainable: await toArrays(o.trainable),
    lora: lora ? { r: lora.r, lora_alpha: lora.config.lora_alpha } : undefined,
    optimizer: o.optimizer ? await o.optimizer.saveState() : undefined,
    evalEvery: o.evalEvery,
    val: o.val,
  };
}

/**
 * Puts a checkpoint's tensors into a freshly built model: LoRA tensors become the adapter (at the checkpoint's rank
 * and alpha), the others overwrite the model's parameters of the same name; the optimizer state is loaded when the
 * checkpoint has one. `lora` is the run's adapter config (targets, dropout, rsLoRA).
 */
export function restoreCheckpoint(model: VitModel, checkpoint: RunCheckpoint, lora: LoraConfig, optimizer?: Optimizer): void {
  const adapterTensors = new Map<string, tf.Tensor>();
  for (const t of checkpoint.trainable) {
    if (t.name.includes('.lora_')) adapterTensors.set(t.name, tf.tensor(t.data, t.shape, 'float32'));
    else {
      const p = model.p(t.name);
      if (p.shape.join('x') !== t.shape.join('x')) throw new Error(`checkpoint tensor ${t.name} has shape [${t.shape}], the model's is [${p.shape}]`);
      tf.tidy(() => p.assign(tf.tensor(t.data, t.shape, 'float32')));
    }
  }
  if (adapterTensors.size > 0) {
    model.lora?.dispose();
    const cfg = checkpoint.lora ? { ...lora, r: checkpoint.lora.r, lora_alpha: checkpoint.lora.lora_alpha } : lora;
    model.lora = LoraAdapter.fromTensors(model.cfg, cfg, adapterTensors);
  }
  if (optimizer && checkpoint.optimizer) optimizer.loadState(checkpoint.optimizer);
}
