/**
 * Which runs the saliency view can explain an image with, and which run it offers next to a chosen one. A run
 * explains images of its own dataset only, and needs weights: a stored checkpoint (the best-validation one, else its
 * last), or being the run training in this page now. For the side-by-side view the natural partner of a grid's run is
 * the cell of the same grid with the same label fraction and seed and the other method (LoRA <-> full fine-tuning).
 * Pure; tested in tests/ui/saliencyRuns.test.ts.
 */
import type { Method } from '../../run/loraConfig';
import type { RunSummary } from '../../run/runs';
import { METHOD_LABELS } from './labels';

/** Runs that can explain an image of `datasetId`, in the list's order; `liveRunId` has weights while it trains. */
export function explainableRuns(runs: readonly RunSummary[], datasetId: string, liveRunId?: string): RunSummary[] {
  return runs.filter((r) => r.source === 'browser' && r.datasetId === datasetId && (r.resumeStep !== null || r.id === liveRunId));
}

const PARTNER: Partial<Record<Method, Method>> = { lora: 'fft', fft: 'lora' };

/** The run to show beside `run`: its grid partner, else the newest other explainable run with the other method. */
export function pairedRun(run: RunSummary, candidates: readonly RunSummary[]): RunSummary | undefined {
  const others = candidates.filter((r) => r.id !== run.id);
  const method = PARTNER[run.config.method];
  const fraction = run.config.trainFraction ?? 1;
  if (run.gridId) {
    const inGrid = others.find(
      (r) => r.gridId === run.gridId && r.config.seed === run.config.seed && (r.config.trainFraction ?? 1) === fraction && r.config.method === method,
    );
    if (inGrid) return inGrid;
  }
  return others.find((r) => r.config.method === method) ?? others[0];
}

/** A run as the run choosers list it: its name and method. */
export function runChoiceText(run: RunSummary): string {
  return `${run.name} (${METHOD_LABELS[run.config.method]})`;
}
