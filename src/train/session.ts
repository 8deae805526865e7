/**
 * The training loop and its state machine (running / paused / stopped / finished / error): streams batches, steps
 * the optimizer, evaluates every N steps, and lets LoRA slider changes in between two steps (loraChanges.ts). It
 * knows nothing about workers, IndexedDB or React: data comes through the two source interfaces of sources.ts,
 * messages go out through `emit`, so Node tests drive it with in-memory data.
 *
 * tfjs hygiene: every step runs in tf.tidy; losses are read back asynchronously every `readEvery` steps
 * (lossReadback.ts); batch shapes are fixed; tensors in flight are disposed, so tf.memory().numTensors stays flat
 * across steps, evaluations and rank changes (tests/train/session.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../run/datasets';
import type { Method } from '../run/loraConfig';
import { countParams, type ParamCount } from '../run/paramCount';
import { mulberry32 } from '../run/random';
import type { CheckpointKind, RunCheckpoint } from '../run/checkpoints';
import type { EvaluationRecord, LoraChange, MetricsLog, RunConfig, RunEvent, RunState, StepRecord, TrainerMessage } from '../run/records';
import { NORMALISATION } from '../run/vitConfig';
import type { VitModel } from '../model/vit';
import { batchInputs, batchTargets, type BatchTensorOptions } from './batchTensors';
import { evaluateSplit, type Predictions } from './evaluate';
import { bceWithLogits } from './loss';
import { LoraChangeQueue } from './loraChanges';
import { LossReadback } from './lossReadback';
import { firstNonFinite, lossesDiverged, NonFiniteLossError } from './nonFiniteLoss';
import { MetricsRecorder } from './metricsRecorder';
import type { Optimizer } from './optimizers';
import { ProbeBatch } from './probeBatch';
import { captureCheckpoint, stepSeed } from './sessionState';
import type { EvalSource, TrainSource } from './sources';
import { learningRateAt, scaledLr } from './schedule';
import { trainableVariables, trainStep } from './step';
import { yieldToEventLoop } from './yieldToEventLoop';

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
  /**
   * A resumed run: the steps already done, and what they recorded (kept in the metrics, not sent again). The model,
   * optimizer and train source must already be where that step left them (sessionState.ts, data/batches.ts).
   */
  resumeFrom?: { step: number; evalEvery: number; steps: StepRecord[]; evaluations: EvaluationRecord[]; events: RunEvent[] };
  /**
   * Called between two steps, after that step's evaluation if there was one: every `checkpointEvery` steps, after
   * every evaluation, and when the loop ends. The loop waits for it (the application saves checkpoints here).
   */
  onCheckpoint?: (point: CheckpointPoint) => Promise<void>;
  /** Start paused (step 0 not yet run): a lesson walks through the run with stepOnce(). */
  startPaused?: boolean;
}

/** Where the loop stands when it offers a checkpoint. */
export interface CheckpointPoint {
  step: number;
  /** The evaluation run at this step, if any. */
  evaluation: EvaluationRecord | null;
  /** true at the end of the loop (finished or stopped). */
  final: boolean;
  /**
   * false when the training losses since the previous checkpoint point say it diverged (nonFiniteLoss.ts): the
   * state is then not worth resuming from, and the previous resume checkpoint should stay the resume point.
   */
  healthy: boolean;
  /** Captures the session's state now (reads the tensors back). */
  capture(kind: CheckpointKind, val?: RunCheckpoint['val']): Promise<RunCheckpoint>;
}

export class TrainingSession {
  private readonly o: SessionOptions;
  private readonly method: Method;
  private trainable: Map<string, tf.Variable>;
  private state: RunState = 'idle';
  private step = 0;
  private evalEvery: number;
  private resumeWaiters: (() => void)[] = [];
  /** stepOnce() calls waiting for their step, run one each while paused. */
  private singleSteps: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly tensors: BatchTensorOptions;
  private readonly losses: LossReadback;
  private readonly probe: ProbeBatch;
  private readonly lora: LoraChangeQueue;
  private readonly record: MetricsRecorder;
  private readonly checkpointEvery: number;
  /** The training losses since the last checkpoint point (lossesDiverged judges them there). */
  private lossesSinceCheckpoint: number[] = [];
  /** The scores of the latest validation pass, by image (the page's ROC view and predictions grid). */
  private latestVal: { step: number; predictions: Predictions } | null = null;

  constructor(options: SessionOptions) {
    this.o = options;
    this.method = options.config.method;
    this.trainable = trainableVariables(options.model, this.method);
    this.evalEvery = options.resumeFrom?.evalEvery ?? options.config.evalEvery;
    this.checkpointEvery = options.config.checkpointEvery ?? options.config.evalEvery;
    this.tensors = {
      imgSize: options.model.cfg.imgSize,
      norm: options.norm ?? NORMALISATION.mae,
      augment: options.config.augment,
      // Replaced before every step by a generator seeded for that step (stepSeed), so any step can be replayed.
      random: mulberry32(options.config.seed),
    };
    this.losses = new LossReadback(options.readEvery ?? 5);
    this.probe = new ProbeBatch(options.val, options.train);
    this.record = new MetricsRecorder(options.metricsHeader, options.labels);
    const resumed = options.resumeFrom;
    if (resumed) {
      this.step = resumed.step;
      this.record.steps.push(...resumed.steps);
      this.record.evaluations.push(...resumed.evaluations);
      this.record.events.push(...resumed.events);
    }
    this.lora = new LoraChangeQueue({
      model: options.model,
      optimizer: options.optimizer,
      seed: options.config.seed,
      currentStep: () => this.step,
      flushLosses: () => this.flushLosses(),
      probeLoss: () => this.probeLoss(),
      trainableChanged: () => {
        this.trainable = trainableVariables(this.o.model, this.method);
      },
      recordEvent: (e) => this.pushEvent(e),
      applied: () => this.emitParams(),
    });
  }

  get currentStep(): number {
    return this.step;
  }

  /** Smoothed wall-clock ms per step (0 before the first loss read-back). */
  get msPerStep(): number {
    return this.losses.stepMsEma;
  }

  get currentState(): RunState {
    return this.state;
  }

  params(): ParamCount {
    const { model } = this.o;
    return countParams(model.cfg, this.method, model.lora?.config ?? this.o.config.lora);
  }

  /** Runs to totalSteps or until stop(); resolves when the loop has ended and everything is read back. */
  async run(): Promise<void> {
    const { config } = this.o;
    if (this.o.startPaused) {
      this.setState('paused');
      this.record.events.push({ step: this.step, kind: 'pause', from: null, to: null });
    } else this.setState('running');
    this.emitParams();
    try {
      while (this.step < config.totalSteps && this.state !== 'stopped') {
        await yieldToEventLoop();
        if (this.state === 'paused' && this.singleSteps.length === 0) await new Promise<void>((r) => this.resumeWaiters.push(r));
        // stop() may have run while paused
        if (this.isStopped()) break;
        // A step asked for while paused (resume() may have come since: then it is simply the next step).
        const single = this.singleSteps.shift();
        await this.lora.apply();
        this.losses.beforeStep();
        const batch = this.probe.takeLent() ?? (await this.o.train.next());
        const lr = this.lrAt(this.step);
        const loss = this.runStep(batch, lr, stepSeed(config.seed, this.step));
        this.step++;
        this.losses.push(this.step, lr, loss);
        // A single step is shown at once: its loss is read back now, not with the next few steps.
        if (this.losses.due || single) await this.flushLosses();
        const evaluation = this.o.val && this.evalEvery > 0 && this.step % this.evalEvery === 0 ? await this.evaluate() : null;
        if (evaluation || this.step % this.checkpointEvery === 0) await this.offerCheckpoint(evaluation, false);
        single?.resolve();
      }
      await this.flushLosses();
      let last: EvaluationRecord | null = null;
      if (this.o.val && this.state !== 'stopped' && this.record.evaluations.at(-1)?.step !== this.step) last = await this.evaluate();
      await this.lora.apply();
      await this.offerCheckpoint(last, true);
      this.setState(this.state === 'stopped' ? 'stopped' : 'finished');
    } catch (err) {
      await this.flushLosses().catch(() => undefined);
      // A non-finite loss stops the run (it can continue from its last checkpoint); anything else is a failure.
      this.setState(err instanceof NonFiniteLossError ? 'stopped' : 'error', err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      this.lora.rejectAll(new Error('training ended before the change was applied'));
      for (const w of this.singleSteps.splice(0)) w.reject(new Error('training ended before the step ran'));
    }
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.setState('paused');
    this.record.events.push({ step: this.step, kind: 'pause', from: null, to: null });
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.record.events.push({ step: this.step, kind: 'resume', from: null, to: null });
    for (const r of this.resumeWaiters.splice(0)) r();
  }

  /**
   * Runs exactly one training step of a paused run (a started-paused run included) and stays paused; resolves once
   * that step's loss, and its evaluation or checkpoint when one is due, are recorded. The last step finishes the run.
   */
  stepOnce(): Promise<void> {
    if (this.state !== 'paused') return Promise.reject(new Error(`"Step" needs a paused run; this one is ${this.state}`));
    if (this.step + this.singleSteps.length >= this.o.config.totalSteps) return Promise.reject(new Error('the run has no step left'));
    const done = new Promise<void>((resolve, reject) => this.singleSteps.push({ resolve, reject }));
    this.record.events.push({ step: this.step + this.singleSteps.length - 1, kind: 'step', from: null, to: null });
    for (const r of this.resumeWaiters.splice(0)) r();
    return done;
  }

  stop(): void {
    if (this.state === 'stopped' || this.state === 'finished') return;
    this.record.events.push({ step: this.step, kind: 'stop', from: null, to: null });
    this.state = 'stopped';
    for (const r of this.resumeWaiters.splice(0)) r();
  }

  setEvalEvery(n: number): void {
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`evaluate-every must be a positive integer, got ${n}`);
    this.record.events.push({ step: this.step, kind: 'eval_every', from: this.evalEvery, to: n });
    this.evalEvery = n;
  }

  /**
   * Queues a LoRA change; it is applied before the next step (or at once when paused / not running). Resolves once
   * applied; the new count reaches the page as the one `params` message of that change.
   */
  requestLoraChange(change: LoraChange): Promise<void> {
    if (this.method !== 'lora' || !this.o.model.lora) return Promise.reject(new Error('LoRA sliders apply to the LoRA method only'));
    const applied = this.lora.request(change);
    if (this.state !== 'running') void this.lora.apply();
    return applied;
  }

  metrics(): MetricsLog {
    return this.record.log(this.params());
  }

  /** Loss of the fixed probe batch in evaluation mode (no dropout, no augmentation). */
  async probeLoss(): Promise<number> {
    const probe = await this.probe.get();
    const loss = tf.tidy(() => {
      const { y, mask } = batchTargets(probe, this.o.labels.length);
      return bceWithLogits(this.o.model.forward(batchInputs(probe, false, this.tensors)), y, mask);
    });
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  }

  async evaluate(): Promise<EvaluationRecord | null> {
    if (!this.o.val) return null;
    await this.flushLosses();
    const { record, predictions } = await evaluateSplit(this.o.model, this.o.val, (b: Batch) => batchInputs(b, false, this.tensors), this.o.labels, this.step);
    this.latestVal = { step: this.step, predictions };
    this.record.evaluations.push(record);
    this.o.emit({ type: 'evaluation', evaluation: record });
    return record;
  }

  private lrAt(step: number): number {
    const c = this.o.config;
    const peak = c.scaleLrByBatch ? scaledLr(c.baseLr, c.batchSize) : c.baseLr;
    return learningRateAt(step, { peakLr: peak, minLr: c.minLr, warmupSteps: c.warmupSteps, totalSteps: c.totalSteps });
  }

  private runStep(batch: Batch, lr: number, seed: number): tf.Scalar {
    this.tensors.random = mulberry32(seed);
    return tf.tidy(() => {
      const x = batchInputs(batch, true, this.tensors);
      const { y, mask } = batchTargets(batch, this.o.labels.length);
      return trainStep(this.o.model, this.trainable, this.o.optimizer, { x, y, mask }, lr, {
        training: true,
        dropPathRate: this.o.config.dropPath,
        seed,
      }, this.o.microBatch);
    });
  }

  private async offerCheckpoint(evaluation: EvaluationRecord | null, final: boolean): Promise<void> {
    if (!this.o.onCheckpoint) return;
    await this.flushLosses();
    const healthy = !lossesDiverged(this.lossesSinceCheckpoint);
    this.lossesSinceCheckpoint = [];
    await this.o.onCheckpoint({
      step: this.step,
      evaluation,
      final,
      healthy,
      capture: (kind, val) =>
        captureCheckpoint({
          kind,
          step: this.step,
          model: this.o.model,
          trainable: this.trainable,
          optimizer: kind === 'resume' ? this.o.optimizer : undefined,
          evalEvery: this.evalEvery,
          val,
        }),
    });
  }

  private async flushLosses(): Promise<void> {
    const records = await this.losses.flush();
    if (records.length === 0) return;
    // Steps after a non-finite loss trained on broken weights: only the steps up to it are recorded.
    const bad = firstNonFinite(records);
    const kept = bad ? records.filter((r) => r.step <= bad.step) : records;
    this.record.steps.push(...kept);
    if (this.o.onCheckpoint) for (const r of kept) this.lossesSinceCheckpoint.push(r.loss);
    this.o.emit({ type: 'steps', steps: kept });
    this.emitState();
    if (bad) throw new NonFiniteLossError(bad.step, bad.lr, bad.loss);
  }

  private pushEvent(e: RunEvent): void {
    this.record.events.push(e);
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
    const ms = this.losses.stepMsEma;
    this.o.emit({
      type: 'state',
      state: this.state,
      message,
      step: this.step,
      totalSteps: this.o.config.totalSteps,
      etaSec: ms ? (remaining * ms) / 1000 : undefined,
    });
  }

  /** The latest validation pass's per-image scores (null before the first evaluation of this session). */
  latestValPredictions(): { step: number; predictions: Predictions } | null {
    return this.latestVal;
  }
}
