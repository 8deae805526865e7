/**
 * Section 7: every run this browser kept (issue 11). Each row says what the run is and where it stands; per run the
 * page can open its charts, resume it (an interrupted or stopped run continues from its last checkpoint), export its
 * metrics (JSON / CSV), its adapter and its merged model (best-validation checkpoint), and delete it. The storage
 * the runs use is shown below the table.
 */
import './RunsPanel.css';
import { useState } from 'react';
import type { ResumeOverrides, TrainerApi } from '../../lab/trainer';
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
  onResume(run: RunSummary, overrides?: ResumeOverrides): void;
}

/** A run stopped by a non-finite loss: it resumes with a lower learning rate the user types. */
function LowerLrResume({ run, disabled, onResume }: { run: RunSummary; disabled: boolean; onResume: Props['onResume'] }) {
  const [text, setText] = useState(String(run.config.baseLr / 10));
  const lr = Number(text);
  const valid = lr > 0 && Number.isFinite(lr);
  return (
    <div className="lower-lr">
      <label>
        Learning rate{' '}
        <input type="text" inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!valid} />
      </label>
      <button type="button" disabled={disabled || !valid} onClick={() => onResume(run, { baseLr: lr })}>
        Resume with this learning rate
      </button>
    </div>
  );
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

  /** The output folder of an exported train.py (or its metrics.json and adapter files), kept as a PyTorch run. */
  const importResults = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setWorking('Importing PyTorch results');
    setError(undefined);
    try {
      const files = await Promise.all([...list].map(async (f) => ({ name: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      await trainer.importRunResults(files.filter((f) => /metrics\.json$|adapter_config\.json$|adapter_model\.safetensors$/.test(f.name)));
      runs.refresh();
    } catch (e) {
      setError(`Importing the PyTorch results failed: ${errorText(e)}`);
    } finally {
      setWorking(null);
    }
  };

  const exportFile = (run: RunSummary, kind: 'json' | 'csv' | 'adapter' | 'merged' | 'pytorch') =>
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
      const file =
        kind === 'adapter' ? await trainer.exportRunAdapter(run.id) : kind === 'merged' ? await trainer.exportRunMerged(run.id) : await trainer.exportRunForPytorch(run.id);
      downloadBytes(file.fileName, file.bytes, file.mime);
    });

  return (
    <section className="panel runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">7. Runs</h2>
      <div className="button-row">
        <label className={`button secondary${working !== null ? ' disabled' : ''}`}>
          Import run results (PyTorch)…
          <input
            type="file"
            className="visually-hidden"
            multiple
            accept=".json,.safetensors"
            disabled={working !== null}
            aria-describedby="import-results-hint"
            onChange={(e) => {
              void importResults(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        <span id="import-results-hint" className="muted">
          metrics.json and adapter/ (adapter_config.json, adapter_model.safetensors) written by an exported train.py.
        </span>
      </div>
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
                        {isResumable(run) && /loss became/.test(run.message ?? '') && <LowerLrResume run={run} disabled={busy || working !== null} onResume={onResume} />}
                        <button type="button" className="secondary" disabled={working !== null} onClick={() => void exportFile(run, 'json')}>
                          Metrics JSON
                        </button>
                        <button type="button" className="secondary" disabled={working !== null} onClick={() => void exportFile(run, 'csv')}>
                          Metrics CSV
                        </button>
                        {run.config.method === 'lora' && (
                          <button type="button" className="secondary" disabled={working !== null || run.checkpointBytes === 0} onClick={() => void exportFile(run, 'adapter')}>
                            Adapter (PEFT)
                          </button>
                        )}
                        <button type="button" className="secondary" disabled={working !== null || run.checkpointBytes === 0} onClick={() => void exportFile(run, 'merged')}>
                          Merged model
                        </button>
                        {run.source === 'browser' && (
                          <button type="button" className="secondary" disabled={working !== null} onClick={() => void exportFile(run, 'pytorch')}>
                            Export for PyTorch
                          </button>
                        )}
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
