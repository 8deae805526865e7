/**
 * Runs an experiment grid in the worker: its cells one after another, each as an ordinary stored run (so each is
 * kept, resumable and scored like any other), with the grid's progress saved after every cell. A grid whose page
 * went away is resumed where it stopped: its current cell's run continues from its last checkpoint, then the rest.
 */
import { gridCellProblems, type GridRecord } from '../run/grid';
import type { DatasetManifest } from '../run/datasets';
import type { GridProgress, RunConfig, TrainerMessage } from '../run/records';
import type { RunStatus } from '../run/runs';
import { deleteRun, getRun, putGrid } from '../storage/runs';
import { gridLockName, holdLock } from './locks';
import type { LiveRun } from './liveRun';

/** How the grid starts its cells' runs (the trainer service). */
export interface CellLauncher {
  startCell(config: RunConfig, gridId: string, onMessage: (m: TrainerMessage) => void): Promise<LiveRun>;
  resumeCell(runId: string, onMessage: (m: TrainerMessage) => void): Promise<LiveRun>;
}

/** Problems of a grid on its dataset, one line per cell that cannot run (none: it can start). */
export function gridProblemLines(grid: GridRecord, manifest: DatasetManifest): string[] {
  return gridCellProblems(grid.cells, manifest).map(({ index, problems }) => {
    const c = grid.cells[index];
    return `Cell ${index + 1} (${c.method}, ${Number((c.fraction * 100).toPrecision(4))} %, seed ${c.seed}): ${problems.join(' ')}`;
  });
}

export class GridRunner {
  private cancelled = false;
  private live: LiveRun | null = null;
  readonly done: Promise<void>;

  constructor(
    readonly grid: GridRecord,
    private readonly launcher: CellLauncher,
    private readonly onMessage: (m: TrainerMessage) => void,
  ) {
    this.done = this.loop();
    holdLock(gridLockName(grid.id), this.done);
  }

  /** Stops the running cell and leaves the rest unrun. */
  cancel(): void {
    this.cancelled = true;
    this.live?.session.stop();
  }

  pause(): void {
    this.live?.pause();
    void this.save('paused');
  }

  resume(): void {
    this.live?.resume();
    void this.save('running');
  }

  private async loop(): Promise<void> {
    const { grid } = this;
    const cellMs: number[] = [];
    try {
      for (let i = grid.current; i < grid.cells.length && !this.cancelled; i++) {
        grid.current = i;
        await this.save('running');
        const started = performance.now();
        const live = await this.launch(i);
        if (!live) continue;
        this.live = live;
        this.emitProgress(cellMs);
        const status: RunStatus = await live.done;
        this.live = null;
        cellMs.push(performance.now() - started);
        if (status === 'error') this.onMessage({ type: 'log', level: 'warn', message: `Grid cell ${i + 1} of ${grid.cells.length} failed; the grid goes on with the next cell.` });
      }
      if (this.cancelled) await this.save('cancelled');
      else {
        grid.current = grid.cells.length;
        await this.save('finished');
      }
    } catch (error) {
      await this.save('error', error instanceof Error ? error.message : String(error));
    }
    this.emitProgress(cellMs);
  }

  /** Starts cell i: a new run, or its stored run again (resumed from its checkpoint; a finished one is skipped). */
  private async launch(i: number): Promise<LiveRun | null> {
    const { grid } = this;
    const existing = grid.runIds[i];
    if (existing) {
      const run = await getRun(existing);
      if (run?.status === 'finished') return null;
      if (run && run.resumeStep !== null) return this.launcher.resumeCell(existing, this.onMessage);
      // Interrupted before its first checkpoint: nothing to resume; it starts again, and the stale record goes.
      if (run) await deleteRun(existing);
    }
    const live = await this.launcher.startCell(grid.cells[i].config, grid.id, this.onMessage);
    grid.runIds[i] = live.runId;
    await this.save('running');
    return live;
  }

  private async save(status: GridRecord['status'], message?: string): Promise<void> {
    this.grid.status = status;
    this.grid.message = message;
    this.grid.updatedAt = new Date().toISOString();
    await putGrid(structuredClone(this.grid));
    this.emitProgress([]);
  }

  private emitProgress(cellMs: number[]): void {
    const { grid } = this;
    const remaining = grid.cells.length - grid.current - 1;
    const perCell = cellMs.length > 0 ? cellMs.reduce((a, b) => a + b, 0) / cellMs.length / 1000 : undefined;
    const progress: GridProgress = {
      id: grid.id,
      name: grid.spec.name,
      index: grid.current,
      total: grid.cells.length,
      status: grid.status,
      runId: grid.runIds[grid.current] ?? null,
      message: grid.message,
      etaSec: perCell !== undefined && remaining >= 0 ? perCell * remaining : undefined,
    };
    this.onMessage({ type: 'grid', grid: progress });
  }
}
