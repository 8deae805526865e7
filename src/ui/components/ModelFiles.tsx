/**
 * Section 6: what leaves and enters the lab as files (issue 5). "Export adapter (PEFT)" saves the LoRA run's
 * adapter as HF PEFT loads it (a .zip of adapter_config.json + adapter_model.safetensors), "Export merged model"
 * the backbone with the adapter merged (timm-named safetensors), both named after the run; "Import adapter (PEFT)"
 * takes such an adapter to start the next LoRA run from.
 */
import './ModelFiles.css';
import { useEffect, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import { ADAPTER_ACCEPT, adapterFilesProblem } from '../view/adapterFiles';
import { downloadBytes } from '../view/download';
import { hasExportableModel, isActive } from '../view/runView';
import type { RunState } from '../../run/records';
import type { ExportedFile, ImportedAdapterInfo } from '../../run/modelFiles';
import type { Method } from '../../run/loraConfig';

/** The run the exports belong to, fixed when it started. */
export interface RunIdentity {
  name: string;
  method: Method;
}

interface Props {
  trainer: TrainerApi;
  run?: RunIdentity;
  state: RunState;
  /** The worker needs its backend to read an adapter into tensors. */
  backendReady: boolean;
  onImported(adapter: ImportedAdapterInfo): void;
}

type Busy = 'adapter' | 'merged' | 'import' | null;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function readFiles(list: FileList): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all([...list].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

export function ModelFiles({ trainer, run, state, backendReady, onImported }: Props) {
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [imported, setImported] = useState<ImportedAdapterInfo | undefined>();
  // A new run consumes the imported adapter; what was saved belonged to the previous run.
  useEffect(() => {
    setImported(undefined);
    setSaved(undefined);
  }, [run?.name]);

  const exportable = run !== undefined && hasExportableModel(state) && busy === null;
  const save = async (kind: 'adapter' | 'merged') => {
    if (!run) return;
    setBusy(kind);
    setError(undefined);
    try {
      const file: ExportedFile = kind === 'adapter' ? await trainer.exportAdapter(run.name) : await trainer.exportMerged(run.name);
      downloadBytes(file.fileName, file.bytes, file.mime);
      setSaved(`Saved ${file.fileName}.`);
    } catch (e) {
      setError(`${kind === 'adapter' ? 'Export adapter' : 'Export merged model'} failed: ${errorText(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const importAdapter = async (list: FileList) => {
    const problem = adapterFilesProblem([...list].map((f) => f.name));
    if (problem) return setError(`Import adapter: ${problem}`);
    setBusy('import');
    setError(undefined);
    try {
      const adapter = await trainer.importAdapter(await readFiles(list));
      setImported(adapter);
      onImported(adapter);
    } catch (e) {
      setError(`Import adapter failed: ${errorText(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const importDisabled = isActive(state) || busy !== null || !backendReady;
  return (
    <section className="panel">
      <h2>6. Adapter and model files</h2>
      <div className="button-row">
        <button type="button" disabled={!exportable || run?.method !== 'lora'} onClick={() => void save('adapter')}>
          Export adapter (PEFT)
        </button>
        <button type="button" disabled={!exportable} onClick={() => void save('merged')}>
          Export merged model
        </button>
        <label className={importDisabled ? 'button file-button secondary disabled' : 'button file-button secondary'}>
          <span aria-hidden="true">Import adapter (PEFT)</span>
          <input
            type="file"
            multiple
            accept={ADAPTER_ACCEPT}
            aria-label="Import adapter (PEFT)"
            disabled={importDisabled}
            onChange={(e) => {
              const input = e.currentTarget;
              if (input.files && input.files.length > 0) void importAdapter(input.files).finally(() => (input.value = ''));
            }}
          />
        </label>
      </div>
      <p className="muted">
        Exports are available once a run is paused, stopped or finished; the PEFT adapter for LoRA runs only. Import takes
        a PEFT adapter .zip, or adapter_config.json and adapter_model.safetensors chosen together.
      </p>
      {busy && (
        <p role="status">{busy === 'import' ? 'Reading the adapter…' : busy === 'adapter' ? 'Exporting the adapter…' : 'Exporting the merged model…'}</p>
      )}
      {saved && !busy && <p className="muted">{saved}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {imported && (
        <div className="notice imported-adapter">
          <p>
            The next LoRA run starts from the imported adapter: r = {imported.r}, lora_alpha = {imported.lora_alpha}
            {imported.use_rslora ? ', rsLoRA scaling' : ''}; targets {imported.targets.join(', ') || 'none'}
            {imported.withHead ? '; fc_norm and head included' : ''}.
          </p>
          {imported.note && <p>{imported.note}</p>}
        </div>
      )}
    </section>
  );
}
