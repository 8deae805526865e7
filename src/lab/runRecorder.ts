/**
 * Keeps a training run in IndexedDB while it trains, so a reload, a crash or a closed tab loses at most one checkpoint
 * interval: every loss read-back, evaluation and event is appended to the run's metrics as it arrives, the run's
 * summary is updated (at least every few seconds and at every change of state), and at the session's checkpoint
 * points the best-validation checkpoint and the resume checkpoint are saved. Writes go through one queue, in order.
 *
 * A full disk never loses what was stored: a metrics write or a checkpoint that fails with the quota error pauses the
 * run with a message (the previous checkpoint stays intact, storage/runs.ts), and the user can free space and resume.
 */
import type { EvaluationRecord, ResourceSample, TestScore, TrainerMessage } from '../run/records';
import type { RunStatus, RunSummary } from '../run/runs';
import { appendMetrics, isQuotaError, putRun, runCheckpointBytes, saveCheckpoint } from '../storage/runs';
import type { CheckpointPoint } from '../train/session';

/** The summary is written at most this often while steps stream in (state changes are written at once). */
const SUMMARY_EVERY_MS = 2000;

export interface RecorderHooks {
  /** Messages for the page (the recorder forwards the session's and adds its own). */
  emit(m: TrainerMessage): void;
  /** Storage is full: the run must pause (the session's pause()). */
  pauseForStorage(message: string): void;
}

/** Whether `e` beats the best validation so far: higher macro AUROC; without AUROCs, lower loss. */
export function isBetter(e: EvaluationRecord, best: RunSummary['bestVal']): boolean {
  if (!best) return true;
  if (e.macroAuroc !== null && best.macroAuroc !== null) return e.macroAuroc > best.macroAuroc;
  if (e.macroAuroc !== null) return true;
  if (best.macroAuroc !== null) return false;
  return e.loss < best.loss;
}

export class RunRecorder {
  private queue: Promise<void> = Promise.resolve();
  private lastSummaryWrite = 0;
  private readonly sessionStart = performance.now();
  private readonly wallBefore: number;
  private storageFull = false;

  constructor(
    readonly summary: RunSummary,
    private nextSeq: number,
    private readonly hooks: RecorderHooks,
  ) {
    this.wallBefore = summary.wallMs;
  }

  /** Persists what the session reports and passes it on to the page. */
  handle(m: TrainerMessage): void {
    const s = this.summary;
    switch (m.type) {
      case 'steps':
        if (m.steps.length > 0) s.step = Math.max(s.step, m.steps[m.steps.length - 1].step);
        this.append({ steps: m.steps });
        break;
      case 'evaluation':
        this.append({ evaluations: [m.evaluation] });
        break;
      case 'event':
        this.append({ events: [m.event] });
        break;
      case 'params':
        s.params = m.params;
        break;
      case 'state':
        if (m.state === 'running' || m.state === 'paused') this.setStatus(m.state, m.state === 'paused' ? s.message : undefined);
        break;
      default:
        break;
    }
    this.hooks.emit(m);
    if (m.type === 'steps' && performance.now() - this.lastSummaryWrite > SUMMARY_EVERY_MS) this.writeSummary();
  }

  resources(sample: ResourceSample): void {
    this.summary.resources = sample;
    this.summary.optimizerStateBytes = sample.optimizerStateBytes;
    this.hooks.emit({ type: 'resources', resources: sample });
  }

  /** The session's checkpoint point: a better validation score saves the best checkpoint; every point saves the resume one. */
  async checkpoint(point: CheckpointPoint): Promise<void> {
    const s = this.summary;
    try {
      if (point.evaluation && isBetter(point.evaluation, s.bestVal)) {
        const e = point.evaluation;
        await this.settle();
        await saveCheckpoint(s.id, await point.capture('best', { macroAuroc: e.macroAuroc, loss: e.loss }));
        s.bestVal = { step: e.step, macroAuroc: e.macroAuroc, loss: e.loss };
      }
      await this.settle();
      await saveCheckpoint(s.id, await point.capture('resume'));
      s.resumeStep = point.step;
      s.checkpointBytes = await runCheckpointBytes(s.id);
      this.writeSummary();
      await this.settle();
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      this.onStorageFull(`saving the checkpoint of step ${point.step}`);
    }
  }

  /** The user resumed after a full disk: a new failure pauses the run again. */
  resumed(): void {
    this.storageFull = false;
  }

  test(score: TestScore): void {
    this.summary.test = score;
    this.hooks.emit({ type: 'test', test: score });
  }

  /** The run ended (or failed): the final summary, after every pending write. */
  async finish(status: RunStatus, message?: string): Promise<void> {
    this.setStatus(status, message);
    await this.settle();
  }

  setStatus(status: RunStatus, message?: string): void {
    this.summary.status = status;
    this.summary.message = message;
    this.writeSummary();
  }

  /** Resolves when every queued write is done. */
  settle(): Promise<void> {
    return this.queue;
  }

  private append(chunk: Parameters<typeof appendMetrics>[2]): void {
    const seq = this.nextSeq++;
    const runId = this.summary.id;
    this.enqueue(() => appendMetrics(runId, seq, chunk), `storing the metrics of step ${this.summary.step}`);
  }

  private writeSummary(): void {
    this.lastSummaryWrite = performance.now();
    const s = this.summary;
    s.updatedAt = new Date().toISOString();
    s.wallMs = this.wallBefore + (performance.now() - this.sessionStart);
    const copy = structuredClone(s);
    this.enqueue(() => putRun(copy), 'storing the run summary');
  }

  private enqueue(write: () => Promise<void>, what: string): void {
    this.queue = this.queue.then(write).catch((error: unknown) => {
      if (isQuotaError(error)) this.onStorageFull(what);
      else this.hooks.emit({ type: 'log', level: 'warn', message: `Could not keep the run in this browser's storage (${what}): ${error instanceof Error ? error.message : String(error)}` });
    });
  }

  private onStorageFull(what: string): void {
    if (this.storageFull) return;
    this.storageFull = true;
    const at = this.summary.resumeStep === null ? 'no checkpoint was saved yet' : `the checkpoint of step ${this.summary.resumeStep} is kept`;
    const message = `Storage is full (${what}): the run is paused and nothing stored was lost; ${at}. Free space (delete runs or datasets), then resume.`;
    this.summary.message = message;
    this.hooks.pauseForStorage(message);
  }
}
