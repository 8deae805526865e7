/**
 * What the Runs panel shows of a stored run, as text: its row (dataset, method, size, rank / alpha, label fraction,
 * seed, steps, best validation and test macro AUROC, state) and the storage line. Pure; tested in
 * tests/ui/runsList.test.ts.
 */
import { fractionLabel } from '../../run/grid';
import type { RunStatus, RunSummary } from '../../run/runs';
import { formatBytes } from './checkpointView';
import { formatAuroc, formatCount } from './format';
import { METHOD_LABELS, PRESET_LABELS } from './labels';

export const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'running',
  paused: 'paused',
  interrupted: 'interrupted',
  stopped: 'stopped',
  finished: 'finished',
  error: 'failed',
};

export interface RunRow {
  id: string;
  name: string;
  dataset: string;
  method: string;
  size: string;
  lora: string;
  fraction: string;
  seed: string;
  steps: string;
  bestVal: string;
  test: string;
  status: string;
  source: string;
}

export function runRow(run: RunSummary): RunRow {
  const c = run.config;
  return {
    id: run.id,
    name: run.name,
    dataset: run.datasetName,
    method: METHOD_LABELS[c.method],
    size: PRESET_LABELS[c.preset],
    lora: c.method === 'lora' ? `r ${c.lora.r} / α ${c.lora.lora_alpha}` : '—',
    fraction: fractionLabel(c.trainFraction ?? 1),
    seed: String(c.seed),
    steps: `${formatCount(run.step)} of ${formatCount(c.totalSteps)}`,
    bestVal: run.bestVal ? `${formatAuroc(run.bestVal.macroAuroc)} (step ${run.bestVal.step})` : '—',
    test: run.test ? testText(run) : '—',
    status: STATUS_TEXT[run.status] + (run.message ? `: ${run.message}` : ''),
    source: run.source === 'pytorch' ? 'PyTorch (external)' : 'this browser',
  };
}

function testText(run: RunSummary): string {
  const t = run.test!;
  const ci = t.macroAurocCi.lo !== null && t.macroAurocCi.hi !== null ? ` [${formatAuroc(t.macroAurocCi.lo)}, ${formatAuroc(t.macroAurocCi.hi)}]` : '';
  return `${formatAuroc(t.macroAuroc)}${ci}`;
}

/** "Runs keep 1.2 MB of checkpoints; this site stores 45 MB of 12 GB allowed." */
export function storageText(s: { usage: number | null; quota: number | null; checkpointBytes: number }): string {
  const site = s.usage !== null && s.quota !== null ? `; this site stores ${formatBytes(s.usage)} of ${formatBytes(s.quota)} allowed` : '';
  return `Runs keep ${formatBytes(s.checkpointBytes)} of checkpoints${site}.`;
}
