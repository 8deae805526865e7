/**
 * The page's picture of a training run, folded from TrainerMessages. Pure and immutable (React compares by
 * reference); tested in tests/ui/runView.test.ts.
 */
import { formatDuration } from './format';
import type { EvaluationRecord, ResourceSample, RunEvent, RunState, StepRecord, TestScore, TrainerMessage } from '../../run/records';
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
  logs: LogLine[];
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
