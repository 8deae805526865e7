/**
 * One run training in this worker: the session, the recorder that keeps it in IndexedDB, the resource samples, and
 * what happens when the loop ends (a finished run is scored on the test split). `done` resolves with the run's final
 * status once everything is stored; the run's Web Lock is held until then.
 */
import type { RunConfig, TrainerMessage } from '../run/records';
import type { RunStatus, RunSummary } from '../run/runs';
import type { StepRecord, EvaluationRecord, RunEvent } from '../run/records';
import type { BackendName } from '../run/backends';
import { loadCheckpoint } from '../storage/runs';
import { putPredictions } from '../storage/predictions';
import type { PredictionSplit, RunPredictions } from '../run/predictions';
import { activationBudgetBytes, chooseMicroBatch } from '../train/microBatch';
import { TrainingSession } from '../train/session';
import type { VitModel } from '../model/vit';
import type { BuiltRun } from './buildRun';
import { testStream } from './buildRun';
import { holdLock, runLockName } from './locks';
import { sampleResources } from './resources';
import { RunRecorder } from './runRecorder';
import { NonFiniteLossError } from '../train/nonFiniteLoss';
import { deviceLoss } from './deviceLoss';
import { releaseFreeGpuBuffers } from '../backends/webgpuPool';
import { scoreAndPredict } from './scoreRun';
import { storedPredictions, toRunPredictions } from './explain';

/** Resource samples are taken after loss read-backs, at most this often. */
const RESOURCE_EVERY_MS = 250;

export interface LaunchOptions {
  built: BuiltRun;
  summary: RunSummary;
  backend: BackendName;
  /** Next free metrics chunk number of the run (0 for a new run). */
  nextSeq: number;
  resumeFrom?: { step: number; evalEvery: number; steps: StepRecord[]; evaluations: EvaluationRecord[]; events: RunEvent[] };
  onMessage: (m: TrainerMessage) => void;
  /** The session starts paused before its first step ("Step" walks through it). */
  startPaused?: boolean;
}

export class LiveRun {
  /** Set when the run ended because the WebGPU device was lost (the trainer then restarts it on a fresh backend). */
  deviceLost: { reason: string; message: string } | null = null;
  readonly session: TrainingSession;
  readonly recorder: RunRecorder;
  readonly done: Promise<RunStatus>;
  private finishedState: TrainerMessage | null = null;
  private lastSample = 0;
  private waitAtSample = 0;
  private timeAtSample = performance.now();
  /** The test scoring's per-image scores, once the run is scored. */
  private testPredictions: RunPredictions | null = null;

  constructor(private readonly o: LaunchOptions) {
    const { built, summary, onMessage } = o;
    const config: RunConfig = summary.config;
    const microBatch = chooseMicroBatch(built.vitCfg, config.batchSize, activationBudgetBytes(o.backend, built.vitCfg), config.method);
    summary.microBatch = microBatch;
    summary.backend = o.backend;
    this.recorder = new RunRecorder(summary, o.nextSeq, {
      emit: onMessage,
      pauseForStorage: (message) => {
        this.session.pause();
        this.recorder.setStatus('paused', message);
        onMessage({ type: 'log', level: 'warn', message });
      },
    });
    if (microBatch < config.batchSize) {
      onMessage({
        type: 'log',
        level: 'info',
        message: `Gradients are accumulated over ${Math.ceil(config.batchSize / microBatch)} passes of at most ${microBatch} images: a whole batch of ${config.batchSize} at ${built.vitCfg.imgSize} px would not fit the ${o.backend} backend's memory.`,
      });
    }
    this.session = new TrainingSession({
      microBatch,
      config,
      labels: summary.labels,
      model: built.model,
      optimizer: built.optimizer,
      train: built.train,
      val: built.val,
      norm: built.norm,
      resumeFrom: o.resumeFrom,
      startPaused: o.startPaused,
      emit: (m) => {
        // The run is finished once it is scored: until then the page sees 'scoring'.
        if (m.type === 'state' && m.state === 'finished') {
          this.finishedState = m;
          this.recorder.handle({ ...m, state: 'scoring' });
          return;
        }
        this.recorder.handle(m);
        if (m.type === 'steps') this.maybeSample();
        // A rank change leaves buffers of the old sizes in tfjs-webgpu's pool for good: give them back.
        if (m.type === 'event' && m.event.kind === 'lora_rank') releaseFreeGpuBuffers();
      },
      onCheckpoint: (point) => this.recorder.checkpoint(point),
      metricsHeader: { ...config, backend: o.backend, initialisationNote: built.initialisationNote, microBatch },
    });
    this.done = this.run();
    holdLock(runLockName(summary.id), this.done);
  }

  get runId(): string {
    return this.o.summary.id;
  }

  get summary(): RunSummary {
    return this.o.summary;
  }

  /** The run's model: trained, then (once finished) holding its best-validation checkpoint, as scored. */
  get model(): VitModel {
    return this.o.built.model;
  }

  pause(): void {
    this.session.pause();
  }

  resume(): void {
    this.recorder.resumed();
    this.session.resume();
  }

  private async run(): Promise<RunStatus> {
    const { summary, onMessage } = this.o;
    try {
      await this.session.run();
      // Stored after the final status is written (the page lists the runs again when the state changes and must find
      // that status stored) and, for a finished run, before the page is told it finished.
      const val = this.latestValPredictions();
      if (this.session.currentState === 'stopped') {
        await this.recorder.finish('stopped');
        await this.keepPredictions(val);
        return 'stopped';
      }
      await this.score();
      await this.recorder.finish('finished');
      await this.keepPredictions(val);
      if (this.finishedState) onMessage(this.finishedState);
      return 'finished';
    } catch (error) {
      const loss = deviceLoss(error);
      if (loss) {
        this.deviceLost = loss;
        const message = `The WebGPU device was lost at step ${this.session.currentStep} (${loss.reason}${loss.message ? `: ${loss.message}` : ''}); every tensor on it is gone.`;
        onMessage({ type: 'log', level: 'warn', message });
        await this.recorder.finish('stopped', message);
        return 'stopped';
      }
      if (error instanceof NonFiniteLossError) {
        const kept = summary.resumeStep === null ? 'no checkpoint was saved before it: start the run again with a lower learning rate' : `its last good checkpoint (step ${summary.resumeStep}) is kept: lower the learning rate and resume`;
        const message = `Training paused: ${error.message}; ${kept}.`;
        onMessage({ type: 'log', level: 'warn', message });
        await this.recorder.finish('stopped', message);
        return 'stopped';
      }
      const message = error instanceof Error ? error.message : String(error);
      onMessage({ type: 'log', level: 'warn', message: `Training stopped with an error: ${message}` });
      await this.recorder.finish('error', message);
      // The session may have ended cleanly before (the error came while scoring): the page must not wait on.
      onMessage({ type: 'state', state: 'error', message, step: this.session.currentStep, totalSteps: summary.config.totalSteps });
      return 'error';
    } finally {
      summary.wallMs = this.recorder.summary.wallMs;
    }
  }

  /** The study's scoring: best-validation checkpoint, adapter merged, whole test split. */
  private async score(): Promise<void> {
    const { built, summary, onMessage } = this.o;
    const test = await testStream(summary.config, built.manifest);
    if (!test) {
      onMessage({ type: 'log', level: 'info', message: `"${built.manifest.name}" has no test split: the run is not scored on one.` });
      return;
    }
    const best = built.val ? await loadCheckpoint(summary.id, 'best') : null;
    const { score, predictions } = await scoreAndPredict({ model: built.model, config: summary.config, labels: summary.labels, test, norm: built.norm, best, step: this.session.currentStep });
    // Stored before the score is announced: the 'test' message and the final status follow each other at once.
    this.testPredictions = toRunPredictions(summary, 'test', score.step, predictions);
    await this.keepPredictions(this.testPredictions);
    this.recorder.test(score);
    const at = best ? `its best-validation checkpoint (step ${best.step})` : 'its last step (no validation split to choose from)';
    onMessage({ type: 'log', level: 'info', message: `Scored on the whole test split (${score.images} images) with ${at}: macro AUROC ${score.macroAuroc?.toFixed(3) ?? 'n/a'}.` });
  }

  private maybeSample(): void {
    const now = performance.now();
    if (now - this.lastSample < RESOURCE_EVERY_MS) return;
    const { built, summary } = this.o;
    const waited = built.train.msWaiting;
    const sample = sampleResources({
      step: this.session.currentStep,
      params: this.session.params(),
      optimizerStateBytes: built.optimizer.stateBytes(),
      msPerStep: this.session.msPerStep,
      batchSize: summary.config.batchSize,
      microBatch: summary.microBatch ?? summary.config.batchSize,
      waitMs: waited - this.waitAtSample,
      wallMs: now - this.timeAtSample,
    });
    this.lastSample = now;
    this.waitAtSample = waited;
    this.timeAtSample = now;
    this.recorder.resources(sample);
  }

  dispose(): void {
    this.o.built.model.dispose();
    this.o.built.optimizer.dispose();
  }

  /** The input normalisation of the run's backbone (saliency preprocesses as evaluation does). */
  get norm(): { mean: number; std: number } {
    return this.o.built.norm;
  }

  /** Validation: the latest pass of this session, else what the run stored; test: once scored. */
  async predictions(split: PredictionSplit): Promise<RunPredictions | null> {
    const fresh = split === 'val' ? this.latestValPredictions() : this.testPredictions;
    return fresh ?? storedPredictions(this.runId, split);
  }

  private latestValPredictions(): RunPredictions | null {
    const latest = this.session.latestValPredictions();
    return latest ? toRunPredictions(this.o.summary, 'val', latest.step, latest.predictions) : null;
  }

  /** Stored with the run when it ends, so its views need no model later; a failed write only costs those views. */
  private async keepPredictions(predictions: RunPredictions | null): Promise<void> {
    if (!predictions) return;
    try {
      await putPredictions(predictions);
    } catch (error) {
      this.o.onMessage({ type: 'log', level: 'warn', message: `Could not keep the ${predictions.split === 'val' ? 'validation' : 'test'} predictions in this browser's storage: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}
