/**
 * Where a training session's batches come from: an endless training stream and a repeatable evaluation pass.
 * src/data/batches.ts implements both over IndexedDB; tests implement them in memory.
 */
import type { Batch } from '../run/datasets';

export interface TrainSource {
  next(): Promise<Batch>;
}

export interface EvalSource {
  epoch(): AsyncGenerator<Batch>;
}
