/**
 * SGD with momentum and AdamW, matching torch.optim.SGD / torch.optim.AdamW update rules, with state keyed
 * by parameter NAME (tfjs's optimizers key it by variable position, which breaks when a LoRA rank change
 * replaces tensors). When an adapter changes rank, `remap` makes the state follow: grown tensors get zero
 * state in the new rows/columns, shrunk tensors start fresh — moments do not carry through an SVD
 * re-factorisation. The kept part is scaled like the GRADIENT, not like the parameter: growing multiplies B's
 * kept columns by c = old scaling / new scaling, so dL/dB' = dL/dB / c (output = scaling' B' A x), and
 * momentum / first moments scale by 1 / c, second moments by 1 / c^2 (tests/train/optimizerRemap.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { LoraResizeChange } from '../model/lora';
import type { ParamGroup } from './paramGroups';
import type { NamedArray } from '../run/checkpoints';

/** Everything an optimizer carries from step to step, as plain arrays (a resume checkpoint stores it). */
export interface OptimizerState {
  slots: NamedArray[];
  /** Per-parameter step counts (AdamW's bias correction); empty for SGD. */
  counters: Record<string, number>;
}

export interface Optimizer {
  /** Applies one update. grads: name -> gradient, for the tensors that train. */
  step(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void;
  remap(changes: LoraResizeChange[]): void;
  /** Bytes of optimizer state held (float32). */
  stateBytes(): number;
  /** A copy of the state (read back from the device). */
  saveState(): Promise<OptimizerState>;
  /** Replaces the state with a saved one (the parameters must already have the saved shapes). */
  loadState(state: OptimizerState): void;
  dispose(): void;
}

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  group: (name: string, shape: readonly number[]) => ParamGroup;
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  group: (name: string, shape: readonly number[]) => ParamGroup;
}

/** Named state tensors with the shape-following logic both optimizers share. */
class StateStore {
  readonly slots = new Map<string, tf.Variable>();

  get(key: string, like: tf.Tensor): tf.Variable {
    let s = this.slots.get(key);
    if (!s) {
      s = tf.variable(tf.zerosLike(like), false);
      this.slots.set(key, s);
    }
    return s;
  }

  /** keptPower: the kept part is multiplied by keptScale ** keptPower (-1 for momentum / first moment, -2 for the second moment). */
  remap(key: string, change: LoraResizeChange, keptPower: number): void {
    const old = this.slots.get(key);
    if (!old) return;
    this.slots.delete(key);
    if (change.kind === 'grow') {
      const grown = tf.tidy(() => {
        const kept = tf.mul(old, change.keptScale ** keptPower);
        const padShape = [...old.shape];
        padShape[change.axis] = change.newSize - change.oldSize;
        return tf.concat([kept, tf.zeros(padShape)], change.axis);
      });
      this.slots.set(key, tf.variable(grown, false));
      grown.dispose();
    }
    old.dispose();
  }

  bytes(): number {
    let n = 0;
    for (const s of this.slots.values()) n += s.size * 4;
    return n;
  }

  async save(): Promise<NamedArray[]> {
    const entries = [...this.slots];
    const data = await Promise.all(entries.map(([, s]) => s.data() as Promise<Float32Array>));
    return entries.map(([name, s], i) => ({ name, shape: [...s.shape], data: data[i] }));
  }

  load(arrays: NamedArray[]): void {
    this.dispose();
    for (const a of arrays) this.slots.set(a.name, tf.variable(tf.tensor(a.data, a.shape, 'float32'), false));
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}

export class SgdMomentum implements Optimizer {
  private readonly state = new StateStore();
  constructor(private readonly opts: SgdOptions) {}

  step(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const p = params.get(name);
        if (!p) throw new Error(`gradient for unknown parameter ${name}`);
        const group = this.opts.group(name, p.shape);
        // torch.optim.SGD: d = g + wd p; buf = momentum buf + d (dampening 0; first step buf = d); p -= lr buf
        const d = group.weightDecay && this.opts.weightDecay > 0 ? tf.add(grad, tf.mul(p, this.opts.weightDecay)) : grad;
        const buf = this.state.get(name, p);
        const next = this.opts.momentum > 0 ? tf.add(tf.mul(buf, this.opts.momentum), d) : d;
        if (this.opts.momentum > 0) buf.assign(next);
        p.assign(tf.sub(p, tf.mul(next, lr * group.lrScale)));
      }
    });
  }

  remap(changes: LoraResizeChange[]): void {
    for (const c of changes) this.state.remap(c.name, c, -1);
  }

  async saveState(): Promise<OptimizerState> {
    return { slots: await this.state.save(), counters: {} };
  }

  loadState(state: OptimizerState): void {
    this.state.load(state.slots);
  }

  stateBytes(): number {
    return this.state.bytes();
  }

  dispose(): void {
    this.state.dispose();
  }
}

export class AdamW implements Optimizer {
  private readonly state = new StateStore();
  private readonly steps = new Map<string, number>();
  constructor(private readonly opts: AdamWOptions) {}

  step(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps } = this.opts;
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const p = params.get(name);
        if (!p) throw new Error(`gradient for unknown parameter ${name}`);
        const group = this.opts.group(name, p.shape);
        const groupLr = lr * group.lrScale;
        const t = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, t);
        // torch.optim.AdamW: p *= 1 - lr wd (decoupled); m, v EMAs; p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
        const decayed = group.weightDecay && this.opts.weightDecay > 0 ? tf.mul(p, 1 - groupLr * this.opts.weightDecay) : p;
        const m = this.state.get(`${name}#m`, p);
        const v = this.state.get(`${name}#v`, p);
        const mNext = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
        const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
        m.assign(mNext);
        v.assign(vNext);
        const bc1 = 1 - beta1 ** t;
        const bc2 = 1 - beta2 ** t;
        const denom = tf.add(tf.div(tf.sqrt(vNext), Math.sqrt(bc2)), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNext, denom), groupLr / bc1)));
      }
    });
  }

  remap(changes: LoraResizeChange[]): void {
    for (const c of changes) {
      this.state.remap(`${c.name}#m`, c, -1);
      this.state.remap(`${c.name}#v`, c, -2);
      if (c.kind === 'shrink') this.steps.delete(c.name);
    }
  }

  async saveState(): Promise<OptimizerState> {
    return { slots: await this.state.save(), counters: Object.fromEntries(this.steps) };
  }

  loadState(state: OptimizerState): void {
    this.state.load(state.slots);
    this.steps.clear();
    for (const [name, t] of Object.entries(state.counters)) this.steps.set(name, t);
  }

  stateBytes(): number {
    return this.state.bytes();
  }

  dispose(): void {
    this.state.dispose();
    this.steps.clear();
  }
}
