/**
 * Owns one training run as the page sees it: start / pause / resume / stop through the bridge, and the RunView
 * folded from the worker's messages. Messages are folded as they arrive but React redraws at most 4 times a second.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import { appendLog, applyMessage, initialRunView, type RunView } from '../view/runView';
import { throttle } from '../view/throttle';
import type { RunConfig, TrainerMessage } from '../../run/records';

export const REDRAW_INTERVAL_MS = 250;

export interface TrainerRun {
  view: RunView;
  /** Labels of the dataset the current run trains on (the charts' label order). */
  labels: string[];
  start(config: RunConfig, labels: string[]): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
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

  const onMessage = useCallback((m: TrainerMessage) => update(applyMessage(latest.current, m)), [update]);

  const log = useCallback(
    (level: 'info' | 'warn' | 'error', message: string) => update(appendLog(latest.current, level, message), true),
    [update],
  );

  const start = useCallback(
    async (config: RunConfig, runLabels: string[]) => {
      setLabels(runLabels);
      update({ ...initialRunView(config.totalSteps), state: 'starting' }, true);
      try {
        await trainer.start(config, onMessage);
      } catch (e) {
        const message = errorText(e);
        update(appendLog({ ...latest.current, state: 'error', message }, 'error', `Training failed: ${message}`), true);
      }
    },
    [trainer, onMessage, update],
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
    pause: useCallback(() => control('Pause', () => trainer.pause()), [control, trainer]),
    resume: useCallback(() => control('Resume', () => trainer.resume()), [control, trainer]),
    stop: useCallback(() => control('Stop', () => trainer.stop()), [control, trainer]),
    log,
  };
}
