/**
 * The page's picture of a training run, folded from TrainerMessages. Pure and immutable (React compares by
 * reference); tested in tests/ui/runView.test.ts.
 */
import { formatDuration } from './format';
import type { EvaluationRecord, GridProgress, ResourceSample, RunEvent, RunState, StepRecord, TestScore, TrainerMessage } from '../../run/records';
import type { RunSummary } from '../../run/runs';
import type { ParamCount } from '../../run/paramCount';

export interface LogLine {
  id: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface RunView {
  state: RunState;
  /** Why the run stopped or failed, from the worker. */
  message?: string;
  step: number;
  totalSteps: number;
  etaSec?: number;
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  events: RunEvent[];
  params?: ParamCount;
  /** The latest parameter / memory / throughput figures. */
  resources?: ResourceSample;
  /** The run's score on the test split, once it finished. */
  test?: TestScore;
  /** The stored run these records belong to. */
  run?: RunSummary;
  /** The grid the run is a cell of, while one runs. */
  grid?: GridProgress;
  /** A stored run opened for viewing (not the live training). */
  stored?: boolean;
  logs: LogLine[];
}

/** Records of a resumed run from before the resume (read from storage), put before the ones that arrive live. */
export function withEarlierRecords(v: RunView, earlier: { steps: StepRecord[]; evaluations: EvaluationRecord[]; events: RunEvent[] }, upTo: number): RunView {
  const firstLive = v.steps[0]?.step ?? Number.POSITIVE_INFINITY;
  return {
    ...v,
    steps: [...earlier.steps.filter((s) => s.step <= upTo && s.step < firstLive), ...v.steps],
    evaluations: [...earlier.evaluations.filter((e) => e.step <= upTo), ...v.evaluations.filter((e) => e.step > upTo)],
    events: [...earlier.events.filter((e) => e.step <= upTo), ...v.events.filter((e) => e.step > upTo)],
  };
}

/** The log keeps the newest lines only: it is a status trail, not the metrics record (that is MetricsLog). */
export const MAX_LOG_LINES = 200;

export function initialRunView(totalSteps: number): RunView {
  return { state: 'idle', step: 0, totalSteps, steps: [], evaluations: [], events: [], logs: [] };
}

export function appendLog(v: RunView, level: LogLine['level'], message: string): RunView {
  const id = (v.logs.at(-1)?.id ?? 0) + 1;
  return { ...v, logs: [...v.logs, { id, level, message }].slice(-MAX_LOG_LINES) };
}

export function applyMessage(v: RunView, m: TrainerMessage): RunView {
  switch (m.type) {
    case 'steps': {
      if (m.steps.length === 0) return v;
      const last = m.steps[m.steps.length - 1];
      return { ...v, steps: v.steps.concat(m.steps), step: Math.max(v.step, last.step) };
    }
    case 'evaluation':
      return { ...v, evaluations: [...v.evaluations, m.evaluation] };
    case 'event':
      return { ...v, events: [...v.events, m.event] };
    case 'params':
      return { ...v, params: m.params };
    case 'state':
      return {
        ...v,
        state: m.state,
        message: m.message,
        step: m.step,
        totalSteps: m.totalSteps,
        etaSec: m.etaSec,
      };
    case 'log':
      return appendLog(v, m.level, m.message);
    case 'resources':
      return { ...v, resources: m.resources };
    case 'test':
      return { ...v, test: m.test };
    case 'run':
      // A new run (the next cell of a grid, or a resumed run): its records start afresh; the log and grid go on.
      return { ...initialRunView(m.run.config.totalSteps), state: 'starting', step: m.resumedFrom ?? 0, run: m.run, grid: v.grid, logs: v.logs };
    case 'grid':
      return { ...v, grid: m.grid };
  }
}

export function isActive(state: RunState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused';
}

/** A run whose weights can be saved: it is not mid-step (paused) or it has ended with a model (finished, stopped). */
export function hasExportableModel(state: RunState): boolean {
  return state === 'finished' || state === 'paused' || state === 'stopped';
}

/** "Step 40 of 200 · ETA 1 min 05 s" (the page contract needs "Step <k>"). */
export function stepStatusText(v: RunView): string {
  const head = `Step ${v.step} of ${v.totalSteps}`;
  switch (v.state) {
    case 'idle':
      return `${head} · not started`;
    case 'starting':
      return `${head} · building the model…`;
    case 'running':
      return v.etaSec === undefined ? `${head} · running` : `${head} · ETA ${formatDuration(v.etaSec)}`;
    case 'paused':
      return `${head} · paused`;
    case 'stopped':
      return `${head} · stopped`;
    case 'finished':
      return `${head} · finished`;
    case 'error':
      return `${head} · failed${v.message ? `: ${v.message}` : ''}`;
  }
}
