/**
 * Section 7: every run this browser kept (issue 11). Each row says what the run is and where it stands; per run the
 * page can open its charts, resume it (an interrupted or stopped run continues from its last checkpoint), export its
 * metrics (JSON / CSV), its adapter and its merged model (best-validation checkpoint), and delete it. The storage
 * the runs use is shown below the table.
 */
import './RunsPanel.css';
import { useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import { isResumable, type RunSummary } from '../../run/runs';
import type { MetricsLog } from '../../run/records';
import { downloadBytes, downloadJson } from '../view/download';
import { metricsCsvZip } from '../view/metricsCsvZip';
import { runRow, storageText } from '../view/runsList';
import type { Runs } from '../hooks/useRuns';

interface Props {
  trainer: TrainerApi;
  runs: Runs;
  /** A run trains now: nothing else can start or resume. */
  busy: boolean;
  onOpen(run: RunSummary, log: MetricsLog): void;
  onResume(run: RunSummary): void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function RunsPanel({ trainer, runs, busy, onOpen, onResume }: Props) {
  const [working, setWorking] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();

  const act = async (label: string, run: RunSummary, call: () => Promise<void>) => {
    setWorking(`${label} ${run.name}`);
    setError(undefined);
    try {
      await call();
    } catch (e) {
      setError(`${label} "${run.name}" failed: ${errorText(e)}`);
    } finally {
      setWorking(null);
    }
  };

  const exportFile = (run: RunSummary, kind: 'json' | 'csv' | 'adapter' | 'merged') =>
    act('Exporting', run, async () => {
      if (kind === 'json' || kind === 'csv') {
        const log = await trainer.runMetrics(run.id);
        if (kind === 'json') downloadJson(`${run.name}-metrics.json`, log);
        else {
          const zip = metricsCsvZip(log, run.name);
          downloadBytes(zip.fileName, zip.bytes, 'application/zip');
        }
        return;
      }
      const file = kind === 'adapter' ? await trainer.exportRunAdapter(run.id) : await trainer.exportRunMerged(run.id);
      downloadBytes(file.fileName, file.bytes, file.mime);
    });

  return (
    <section className="panel runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">7. Runs</h2>
      {runs.runs.length === 0 ? (
        <p className="muted">No run yet. Every run is kept here as it trains, and survives a reload.</p>
      ) : (
        <div className="runs-scroll" role="region" aria-label="Stored runs" tabIndex={0}>
          <table className="runs-table">
            <caption className="visually-hidden">Runs kept in this browser, newest first</caption>
            <thead>
              <tr>
                {['Run', 'Dataset', 'Method', 'Size', 'LoRA', 'Labels', 'Seed', 'Steps', 'Best val macro AUROC', 'Test macro AUROC [95 % CI]', 'State', 'Actions'].map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.runs.map((run) => {
                const row = runRow(run);
                return (
                  <tr key={run.id} data-run-id={run.id} data-status={run.status}>
                    <th scope="row">
                      {row.name}
                      {run.source === 'pytorch' && <span className="run-source"> ({row.source})</span>}
                    </th>
                    <td>{row.dataset}</td>
                    <td>{row.method}</td>
                    <td>{row.size}</td>
                    <td>{row.lora}</td>
                    <td>{row.fraction}</td>
                    <td>{row.seed}</td>
                    <td>{row.steps}</td>
                    <td>{row.bestVal}</td>
                    <td>{row.test}</td>
                    <td className={`run-status run-status-${run.status}`}>{row.status}</td>
                    <td>
                      <div className="run-actions" role="group" aria-label={`Actions for ${run.name}`}>
                        <button type="button" disabled={working !== null} onClick={() => void act('Opening', run, async () => onOpen(run, await trainer.runMetrics(run.id)))}>
                          Open charts
                        </button>
                        <button type="button" disabled={busy || working !== null || !isResumable(run)} onClick={() => onResume(run)}>
                          Resume run
                        </button>
                        <button type="button" className="secondary" disabled={working !== null} onClick={() => void exportFile(run, 'json')}>
                          Metrics JSON
                        </button>
                        <button type="button" className="secondary" disabled={working !== null} onClick={() => void exportFile(run, 'csv')}>
                          Metrics CSV
                        </button>
                        {run.config.method === 'lora' && (
                          <button type="button" className="secondary" disabled={working !== null || run.resumeStep === null} onClick={() => void exportFile(run, 'adapter')}>
                            Adapter (PEFT)
                          </button>
                        )}
                        <button type="button" className="secondary" disabled={working !== null || run.resumeStep === null} onClick={() => void exportFile(run, 'merged')}>
                          Merged model
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          disabled={working !== null || run.status === 'running' || run.status === 'paused'}
                          onClick={() => {
                            if (window.confirm(`Delete the run "${run.name}" with its metrics and checkpoints?`)) void act('Deleting', run, () => runs.remove(run.id));
                          }}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {working && (
        <p role="status" className="muted">
          {working}…
        </p>
      )}
      {(error ?? runs.error) && (
        <p role="alert" className="error">
          {error ?? runs.error}
        </p>
      )}
      {runs.storage && <p className="muted storage-use">{storageText(runs.storage)}</p>}
    </section>
  );
}
