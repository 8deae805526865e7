/**
 * The training loop the worker runs: streams batches, steps the optimizer, evaluates every N steps, and
 * applies LoRA rank / alpha changes between two steps of the running training. It knows nothing about
 * workers, IndexedDB or React: data comes through the two small source interfaces below, messages go out
 * through `emit`, so Node tests drive it with in-memory data.
 *
 * tfjs hygiene: every step runs in tf.tidy; the loss is read asynchronously every `readEvery` steps (no
 * per-step dataSync); batch shapes are fixed; tensors in flight are disposed, so tf.memory().numTensors
 * stays flat across steps, evaluations and rank changes (tests/train/session.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { NORMALISATION } from '../run/vitConfig';
import { countParams } from '../run/paramCount';
import type { VitModel } from '../model/vit';
import { centreCropBoxes, EVAL_CROP, preprocess, randomResizedCropBoxes, TORCHVISION_RRC } from './augment';
import { multiLabelAuroc } from './auroc';
import { bceWithLogits } from './loss';
import type { Optimizer } from './optimizers';
import { mulberry32 } from '../run/random';
import { learningRateAt, scaledLr } from './schedule';
import { trainableVariables, trainStep } from './step';
import { yieldToEventLoop } from './yieldToEventLoop';
import type { EvaluationRecord, MetricsLog, RunConfig, RunEvent, RunState, StepRecord, TrainerMessage } from '../run/records';
import type { ParamCount } from '../run/paramCount';
import { type Method } from '../run/loraConfig';
import type { Batch } from '../run/datasets';

export interface TrainSource {
  next(): Promise<Batch>;
}

export interface EvalSource {
  epoch(): AsyncGenerator<Batch>;
}

export interface SessionOptions {
  config: RunConfig;
  labels: string[];
  model: VitModel;
  optimizer: Optimizer;
  train: TrainSource;
  val: EvalSource | null;
  emit: (m: TrainerMessage) => void;
  metricsHeader: MetricsLog['config'];
  /** Steps between asynchronous loss read-backs. */
  readEvery?: number;
  norm?: { mean: number; std: number };
  /** Images per gradient pass (see lossAndGradients); default: the whole batch. */
  microBatch?: number;
}

interface PendingLoss {
  step: number;
  lr: number;
  loss: tf.Scalar;
}

export class TrainingSession {
  private readonly o: SessionOptions;
  private readonly method: Method;
  private trainable: Map<string, tf.Variable>;
  private state: RunState = 'idle';
  private step = 0;
  private evalEvery: number;
  private readonly rand: () => number;
  private readonly steps: StepRecord[] = [];
  private readonly evaluations: EvaluationRecord[] = [];
  private readonly events: RunEvent[] = [];
  private pending: PendingLoss[] = [];
  private pendingLora: { r?: number; lora_alpha?: number; resolve: (p: ParamCount) => void; reject: (e: unknown) => void }[] = [];
  private resumeWaiters: (() => void)[] = [];
  /** Serialises LoRA changes with each other and with the steps (drainLoraQueue never rejects). */
  private loraChain: Promise<void> = Promise.resolve();
  private probe: Batch | null = null;
  /** A training batch borrowed as the probe (no validation split): it still goes to training next, in order. */
  private lentBatch: Batch | null = null;
  private stepMsEma = 0;
  /** Wall-clock start of the steps not yet read back (GPU work is queued, so only read-backs measure it). */
  private windowStart = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly norm: { mean: number; std: number };

  constructor(options: SessionOptions) {
    this.o = options;
    this.method = options.config.method;
    this.trainable = trainableVariables(options.model, this.method);
    this.evalEvery = options.config.evalEvery;
    this.rand = mulberry32(options.config.seed ^ 0x9e3779b9);
    this.norm = options.norm ?? NORMALISATION.mae;
  }

  get currentStep(): number {
    return this.step;
  }

  params(): ParamCount {
    const { model } = this.o;
    const lora = model.lora?.config ?? this.o.config.lora;
    return countParams(model.cfg, this.method, lora);
  }

  /** Runs to totalSteps or until stop(); resolves when the loop has ended and everything is read back. */
  async run(): Promise<void> {
    const { config } = this.o;
    this.setState('running');
    this.emitParams();
    try {
      while (this.step < config.totalSteps && this.state !== 'stopped') {
        await yieldToEventLoop();
        if (this.state === 'paused') await new Promise<void>((r) => this.resumeWaiters.push(r));
        // stop() may have run while paused
        if (this.isStopped()) break;
        await this.applyLoraChanges();
        if (this.pending.length === 0) this.windowStart = performance.now();
        const batch = this.lentBatch ?? (await this.o.train.next());
        this.lentBatch = null;
        const lr = this.lrAt(this.step);
        const loss = this.runStep(batch, lr);
        this.step++;
        this.pending.push({ step: this.step, lr, loss });
        if (this.pending.length >= (this.o.readEvery ?? 5)) await this.flushLosses();
        if (this.o.val && this.evalEvery > 0 && this.step % this.evalEvery === 0) await this.evaluate();
      }
      await this.flushLosses();
      if (this.o.val && this.state !== 'stopped' && (this.evaluations.length === 0 || this.evaluations.at(-1)!.step !== this.step)) await this.evaluate();
      await this.applyLoraChanges();
      this.setState(this.state === 'stopped' ? 'stopped' : 'finished');
    } catch (err) {
      await this.flushLosses().catch(() => undefined);
      this.setState('error', err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      for (const p of this.pendingLora) p.reject(new Error('training ended before the change was applied'));
      this.pendingLora = [];
    }
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.setState('paused');
    this.events.push({ step: this.step, kind: 'pause', from: null, to: null });
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.events.push({ step: this.step, kind: 'resume', from: null, to: null });
    for (const r of this.resumeWaiters.splice(0)) r();
  }

  stop(): void {
    if (this.state === 'stopped' || this.state === 'finished') return;
    this.events.push({ step: this.step, kind: 'stop', from: null, to: null });
    this.state = 'stopped';
    for (const r of this.resumeWaiters.splice(0)) r();
  }

  setEvalEvery(n: number): void {
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`evaluate-every must be a positive integer, got ${n}`);
    this.events.push({ step: this.step, kind: 'eval_every', from: this.evalEvery, to: n });
    this.evalEvery = n;
  }

  /** Queues a LoRA change; it is applied before the next step (or at once when paused / not running). */
  requestLoraChange(change: { r?: number; lora_alpha?: number }): Promise<ParamCount> {
    if (this.method !== 'lora' || !this.o.model.lora) return Promise.reject(new Error('LoRA sliders apply to the LoRA method only'));
    const p = new Promise<ParamCount>((resolve, reject) => this.pendingLora.push({ ...change, resolve, reject }));
    if (this.state !== 'running') void this.applyLoraChanges();
    return p;
  }

  metrics(): MetricsLog {
    return {
      config: this.o.metricsHeader,
      labels: [...this.o.labels],
      steps: [...this.steps],
      evaluations: [...this.evaluations],
      events: [...this.events],
      params: this.params(),
      startedAt: this.startedAt,
    };
  }

  /** Loss of the fixed probe batch in evaluation mode (no dropout, no augmentation). */
  async probeLoss(): Promise<number> {
    if (!this.probe) this.probe = await this.firstEvalBatch();
    const probe = this.probe;
    const loss = tf.tidy(() => {
      const x = this.inputs(probe, false);
      const { y, mask } = this.targets(probe);
      return bceWithLogits(this.o.model.forward(x), y, mask);
    });
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  }

  private async firstEvalBatch(): Promise<Batch> {
    if (this.o.val) {
      const it = this.o.val.epoch();
      const first = await it.next();
      await it.return?.(undefined);
      if (!first.done) return first.value;
    }
    // No validation split: use the next training batch as the probe, and hand it to training afterwards so the
    // seeded data order is not shifted.
    this.lentBatch = await this.o.train.next();
    return this.lentBatch;
  }

  private lrAt(step: number): number {
    const c = this.o.config;
    const peak = c.scaleLrByBatch ? scaledLr(c.baseLr, c.batchSize) : c.baseLr;
    return learningRateAt(step, { peakLr: peak, minLr: c.minLr, warmupSteps: c.warmupSteps, totalSteps: c.totalSteps });
  }

  private inputs(batch: Batch, training: boolean): tf.Tensor4D {
    const { model } = this.o;
    const boxes = this.o.config.augment
      ? training
        ? randomResizedCropBoxes(batch.batchSize, TORCHVISION_RRC, this.rand)
        : centreCropBoxes(batch.batchSize, EVAL_CROP)
      : null;
    return preprocess(batch.pixels, batch.batchSize, batch.size, model.cfg.imgSize, this.norm, boxes);
  }

  private targets(batch: Batch): { y: tf.Tensor2D; mask: tf.Tensor2D } {
    const k = this.o.labels.length;
    return { y: tf.tensor2d(batch.labels, [batch.batchSize, k]), mask: tf.tensor2d(batch.mask, [batch.batchSize, k]) };
  }

  private runStep(batch: Batch, lr: number): tf.Scalar {
    return tf.tidy(() => {
      const x = this.inputs(batch, true);
      const { y, mask } = this.targets(batch);
      return trainStep(this.o.model, this.trainable, this.o.optimizer, { x, y, mask }, lr, {
        training: true,
        dropPathRate: this.o.config.dropPath,
      }, this.o.microBatch);
    });
  }

  private async flushLosses(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const stacked = tf.stack(batch.map((p) => p.loss));
    const values = await stacked.data();
    stacked.dispose();
    // The read-back waits for the queued GPU work, so the window's wall-clock time is the real cost of its steps.
    const ms = (performance.now() - this.windowStart) / batch.length;
    this.stepMsEma = this.stepMsEma ? 0.7 * this.stepMsEma + 0.3 * ms : ms;
    const records: StepRecord[] = batch.map((p, i) => ({ step: p.step, loss: values[i], lr: p.lr, ms }));
    for (const p of batch) p.loss.dispose();
    this.steps.push(...records);
    this.o.emit({ type: 'steps', steps: records });
    this.emitState();
  }

  async evaluate(): Promise<EvaluationRecord | null> {
    if (!this.o.val) return null;
    await this.flushLosses();
    const k = this.o.labels.length;
    const scores: number[] = [];
    const targets: number[] = [];
    const masks: number[] = [];
    let lossSum = 0;
    let lossWeight = 0;
    for await (const batch of this.o.val.epoch()) {
      const { probs, perElement } = tf.tidy(() => {
        const logits = this.o.model.forward(this.inputs(batch, false));
        const { y } = this.targets(batch);
        const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
        return { probs: tf.sigmoid(logits), perElement: bce };
      });
      const [p, e] = await Promise.all([probs.data(), perElement.data()]);
      probs.dispose();
      perElement.dispose();
      const n = batch.valid * k;
      for (let i = 0; i < n; i++) {
        scores.push(p[i]);
        targets.push(batch.labels[i]);
        masks.push(batch.mask[i]);
        lossSum += e[i] * batch.mask[i];
        lossWeight += batch.mask[i];
      }
    }
    const report = multiLabelAuroc(scores, targets, k, masks);
    const record: EvaluationRecord = {
      step: this.step,
      split: 'val',
      loss: lossWeight > 0 ? lossSum / lossWeight : NaN,
      auroc: Object.fromEntries(this.o.labels.map((l, i) => [l, report.perLabel[i]])),
      macroAuroc: report.macro,
      images: scores.length / k,
    };
    this.evaluations.push(record);
    this.o.emit({ type: 'evaluation', evaluation: record });
    return record;
  }

  /**
   * Applies the queued slider changes as one: changes that pile up during a step (a held arrow key, a drag)
   * collapse into their final rank and alpha, so the run pays one re-factorisation and one probe per kind.
   */
  private applyLoraChanges(): Promise<void> {
    // One chain: a change requested while paused starts applying at once, and the loop (after Resume) must wait
    // for it instead of stepping with tensors that are being replaced.
    this.loraChain = this.loraChain.then(() => this.drainLoraQueue());
    return this.loraChain;
  }

  private async drainLoraQueue(): Promise<void> {
    while (this.pendingLora.length > 0) {
      const queued = this.pendingLora.splice(0);
      const r = queued.map((c) => c.r).filter((v) => v !== undefined).at(-1);
      const alpha = queued.map((c) => c.lora_alpha).filter((v) => v !== undefined).at(-1);
      try {
        const lora = this.o.model.lora!;
        await this.flushLosses();
        if (r !== undefined && r !== lora.r) {
          const before = await this.probeLoss();
          const from = lora.r;
          const resized = await lora.resize(r, this.o.config.seed + this.step);
          this.o.optimizer.remap(resized);
          this.trainable = trainableVariables(this.o.model, this.method);
          const after = await this.probeLoss();
          this.pushEvent({ step: this.step, kind: 'lora_rank', from, to: r, probeLossBefore: before, probeLossAfter: after });
        }
        if (alpha !== undefined && alpha !== lora.config.lora_alpha) {
          const before = await this.probeLoss();
          const from = lora.config.lora_alpha;
          lora.setAlpha(alpha);
          const after = await this.probeLoss();
          this.pushEvent({ step: this.step, kind: 'lora_alpha', from, to: alpha, probeLossBefore: before, probeLossAfter: after });
        }
        this.emitParams();
        for (const c of queued) c.resolve(this.params());
      } catch (err) {
        for (const c of queued) c.reject(err);
      }
    }
  }

  private pushEvent(e: RunEvent): void {
    this.events.push(e);
    this.o.emit({ type: 'event', event: e });
  }

  private emitParams(): void {
    const lora = this.o.model.lora?.config ?? this.o.config.lora;
    this.o.emit({ type: 'params', params: this.params(), r: lora.r, lora_alpha: lora.lora_alpha });
  }

  private setState(state: RunState, message?: string): void {
    this.state = state;
    this.emitState(message);
  }

  private emitState(message?: string): void {
    const remaining = this.o.config.totalSteps - this.step;
    this.o.emit({
      type: 'state',
      state: this.state,
      message,
      step: this.step,
      totalSteps: this.o.config.totalSteps,
      etaSec: this.stepMsEma ? (remaining * this.stepMsEma) / 1000 : undefined,
    });
  }
}
