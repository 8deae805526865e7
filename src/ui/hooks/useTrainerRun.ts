/**
 * Owns the training the page shows: start / resume a stored run / run a grid / pause / resume / stop through the
 * client, and the RunView folded from the worker's messages (a grid's runs follow one another in the same view). A
 * stored run can also be opened for viewing. Messages are folded as they arrive but React redraws at most 4 times a
 * second.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ResumeOverrides, StartOptions, TrainerApi } from '../../lab/trainer';
import { appendLog, applyMessage, initialRunView, type RunView } from '../view/runView';
import { throttle } from '../view/throttle';
import type { MetricsLog, RunConfig, TrainerMessage } from '../../run/records';
import type { GridSpec } from '../../run/grid';
import type { RunSummary } from '../../run/runs';
import { withEarlierRecords } from '../view/runView';

export const REDRAW_INTERVAL_MS = 250;

export interface TrainerRun {
  view: RunView;
  /** Labels of the dataset the current run trains on (the charts' label order). */
  labels: string[];
  /** Resolves true once the run started (false: it failed, and the log says why). */
  start(config: RunConfig, labels: string[], options?: StartOptions): Promise<boolean>;
  /** Continues a stored run from its last checkpoint; its earlier records are read back from storage. */
  resumeRun(run: RunSummary, overrides?: ResumeOverrides): Promise<void>;
  startGrid(spec: GridSpec): Promise<void>;
  resumeGrid(gridId: string): Promise<void>;
  /** Shows a stored run's charts (no training). */
  open(run: RunSummary, log: MetricsLog): void;
  /** The training worker crashed: the page says so (the run is kept in storage and can resume). */
  crashed(message: string): void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Exactly one training step of the paused run. */
  step(): Promise<void>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useTrainerRun(trainer: TrainerApi, idleTotalSteps: number): TrainerRun {
  const [view, setView] = useState<RunView>(() => initialRunView(idleTotalSteps));
  const [labels, setLabels] = useState<string[]>([]);
  const latest = useRef(view);
  const redraw = useMemo(() => throttle(() => setView(latest.current), REDRAW_INTERVAL_MS), []);
  useEffect(() => () => redraw.cancel(), [redraw]);

  const update = useCallback(
    (next: RunView, now = false) => {
      latest.current = next;
      if (now) redraw.flush(true);
      else redraw.schedule();
    },
    [redraw],
  );

  // Before a run starts, "Step 0 of N" follows the Steps field.
  useEffect(() => {
    if (latest.current.state === 'idle' && latest.current.totalSteps !== idleTotalSteps) {
      update({ ...latest.current, totalSteps: idleTotalSteps }, true);
    }
  }, [idleTotalSteps, update]);

  const onMessage = useCallback(
    (m: TrainerMessage) => {
      update(applyMessage(latest.current, m));
      if (m.type !== 'run') return;
      setLabels(m.run.labels);
      const upTo = m.resumedFrom;
      if (upTo === undefined) return;
      // A resumed run's records before its checkpoint are in storage, not in the messages.
      trainer.runMetrics(m.run.id).then(
        (earlier) => latest.current.run?.id === m.run.id && update(withEarlierRecords(latest.current, earlier, upTo), true),
        () => undefined,
      );
    },
    [update, trainer],
  );

  /**
   * Bumped when the training worker crashes. The page hears of the crash while messages the dead worker posted just
   * before it may still be queued; they would put its run back to "running". Each call listens for its generation only.
   */
  const generation = useRef(0);
  const listener = useCallback(() => {
    const mine = generation.current;
    return (m: TrainerMessage) => {
      if (mine === generation.current) onMessage(m);
    };
  }, [onMessage]);

  const log = useCallback(
    (level: 'info' | 'warn' | 'error', message: string) => update(appendLog(latest.current, level, message), true),
    [update],
  );

  const start = useCallback(
    async (config: RunConfig, runLabels: string[], options?: StartOptions) => {
      setLabels(runLabels);
      update({ ...initialRunView(config.totalSteps), state: 'starting' }, true);
      try {
        await trainer.start(config, listener(), options);
        return true;
      } catch (e) {
        const message = errorText(e);
        update(appendLog({ ...latest.current, state: 'error', message }, 'error', `Training failed: ${message}`), true);
        return false;
      }
    },
    [trainer, listener, update],
  );

  const launch = useCallback(
    async (what: string, call: () => Promise<unknown>) => {
      update({ ...latest.current, state: 'starting', message: undefined }, true);
      try {
        await call();
      } catch (e) {
        const message = errorText(e);
        update(appendLog({ ...latest.current, state: 'error', message }, 'error', `${what} failed: ${message}`), true);
      }
    },
    [update],
  );

  const resumeRun = useCallback(
    (run: RunSummary, overrides?: ResumeOverrides) => launch('Resuming the run', () => trainer.resumeRun(run.id, listener(), overrides)),
    [launch, trainer, listener],
  );
  const startGrid = useCallback(
    (spec: GridSpec) => {
      update({ ...initialRunView(spec.base.totalSteps), state: 'starting' }, true);
      return launch('Starting the grid', () => trainer.startGrid(spec, listener()));
    },
    [launch, trainer, listener, update],
  );
  const resumeGrid = useCallback((gridId: string) => launch('Resuming the grid', () => trainer.resumeGrid(gridId, listener())), [launch, trainer, listener]);

  const open = useCallback(
    (run: RunSummary, log: MetricsLog) => {
      setLabels(run.labels);
      const view = initialRunView(run.config.totalSteps);
      update({ ...view, state: 'stopped', stored: true, run, step: run.step, steps: log.steps, evaluations: log.evaluations, events: log.events, params: log.params, test: log.test, resources: log.resources, logs: latest.current.logs }, true);
      update(appendLog(latest.current, 'info', `Showing the stored run "${run.name}" (${run.status}).`), true);
    },
    [update],
  );

  const crashed = useCallback(
    (message: string) => {
      generation.current += 1;
      const text = `The training worker stopped (${message}). What was trained up to its last checkpoint is kept: resume the run from "Runs".`;
      update(appendLog({ ...latest.current, state: 'error', message: text }, 'error', text), true);
    },
    [update],
  );

  const control = useCallback(
    async (name: string, call: () => Promise<void>) => {
      try {
        await call();
      } catch (e) {
        log('error', `${name} failed: ${errorText(e)}`);
      }
    },
    [log],
  );

  return {
    view,
    labels,
    start,
    resumeRun,
    startGrid,
    resumeGrid,
    open,
    crashed,
    pause: useCallback(() => control('Pause', () => trainer.pause()), [control, trainer]),
    resume: useCallback(() => control('Resume', () => trainer.resume()), [control, trainer]),
    stop: useCallback(() => control('Stop', () => trainer.stop()), [control, trainer]),
    log,
    step: useCallback(() => control('Step', () => trainer.step()), [control, trainer]),
  };
}
