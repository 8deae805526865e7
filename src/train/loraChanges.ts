/**
 * LoRA rank and alpha changes requested by the sliders while a run trains. Requests queue up and are applied
 * between two steps; changes that pile up during a step (a held arrow key, a drag) collapse into their final rank
 * and alpha, so the run pays one re-factorisation and one probe per kind. Each applied change is recorded as an
 * event with the probe loss right before and after it (growing the rank must leave it unchanged).
 */
import type { LoraChange, RunEvent } from '../run/records';
import type { VitModel } from '../model/vit';
import type { Optimizer } from './optimizers';

/** What a change needs from the running session. */
export interface LoraChangeContext {
  model: VitModel;
  optimizer: Optimizer;
  seed: number;
  currentStep(): number;
  /** Reads the queued step losses back first, so the charts' loss before a change is complete. */
  flushLosses(): Promise<void>;
  probeLoss(): Promise<number>;
  /** The adapter's tensors were replaced: the step must train the new ones. */
  trainableChanged(): void;
  recordEvent(event: RunEvent): void;
  /** The trainable-parameter count changed (or an alpha change was applied): tell the page once. */
  applied(): void;
}

interface Queued extends LoraChange {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class LoraChangeQueue {
  private queued: Queued[] = [];
  /** Serialises changes with each other and with the steps (drain never rejects). */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: LoraChangeContext) {}

  /** Resolves once the change is applied; the new parameter count reaches the page as one `params` message. */
  request(change: LoraChange): Promise<void> {
    return new Promise<void>((resolve, reject) => this.queued.push({ ...change, resolve, reject }));
  }

  /**
   * Applies what is queued. One chain: a change requested while paused starts applying at once, and the loop (after
   * Resume) must wait for it instead of stepping with tensors that are being replaced.
   */
  apply(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  rejectAll(reason: Error): void {
    for (const q of this.queued.splice(0)) q.reject(reason);
  }

  private async drain(): Promise<void> {
    const { ctx } = this;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      const r = batch.map((c) => c.r).filter((v) => v !== undefined).at(-1);
      const alpha = batch.map((c) => c.lora_alpha).filter((v) => v !== undefined).at(-1);
      try {
        const lora = ctx.model.lora!;
        await ctx.flushLosses();
        if (r !== undefined && r !== lora.r) {
          const before = await ctx.probeLoss();
          const from = lora.r;
          const resized = await lora.resize(r, ctx.seed + ctx.currentStep());
          ctx.optimizer.remap(resized);
          ctx.trainableChanged();
          const after = await ctx.probeLoss();
          ctx.recordEvent({ step: ctx.currentStep(), kind: 'lora_rank', from, to: r, probeLossBefore: before, probeLossAfter: after });
        }
        if (alpha !== undefined && alpha !== lora.config.lora_alpha) {
          const before = await ctx.probeLoss();
          const from = lora.config.lora_alpha;
          lora.setAlpha(alpha);
          const after = await ctx.probeLoss();
          ctx.recordEvent({ step: ctx.currentStep(), kind: 'lora_alpha', from, to: alpha, probeLossBefore: before, probeLossAfter: after });
        }
        ctx.applied();
        for (const c of batch) c.resolve();
      } catch (err) {
        for (const c of batch) c.reject(err);
      }
    }
  }
}
