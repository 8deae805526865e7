/**
 * The fixed batch whose loss (evaluation mode) is measured right before and after a LoRA slider change. It is the
 * first validation batch; without a validation split the next training batch is borrowed and handed back to
 * training afterwards, so the seeded data order is not shifted and no batch is skipped.
 */
import type { Batch } from '../run/datasets';
import type { EvalSource, TrainSource } from './sources';

export class ProbeBatch {
  private probe: Batch | null = null;
  private lent: Batch | null = null;

  constructor(
    private readonly val: EvalSource | null,
    private readonly train: TrainSource,
  ) {}

  async get(): Promise<Batch> {
    this.probe ??= await this.first();
    return this.probe;
  }

  /** The borrowed training batch, once: the loop trains on it before asking the stream for the next one. */
  takeLent(): Batch | null {
    const lent = this.lent;
    this.lent = null;
    return lent;
  }

  private async first(): Promise<Batch> {
    if (this.val) {
      const it = this.val.epoch();
      const first = await it.next();
      await it.return?.(undefined);
      if (!first.done) return first.value;
    }
    this.lent = await this.train.next();
    return this.lent;
  }
}
