/**
 * The only place the UI touches workers and data modules. React components receive a `UiBridge` and never import
 * Comlink, IndexedDB or the ingest code themselves, so the page can be tested and reasoned about as plain React.
 */
import * as Comlink from 'comlink';
import {
  canPickDirectory, directoryHandleFromDataTransfer, filesFromDataTransfer, filesFromDirectoryHandle, filesFromFileList, loadDemo,
  pickDirectory, requestReadPermission,
} from '../data/fileSource';
import { LAYOUTS, detectLayoutId } from '../data/layouts/registry';
import { deletePendingIngest, listPendingIngests, rememberIngest } from '../storage/pendingIngests';
import { type PendingIngest } from '../run/datasets';
import { deleteDataset, listManifests } from '../storage/datasets';
import type { IngestWorkerApi } from './ingest.worker';
import type { LabBridge, TrainerApi } from './protocol';
import { previewCsvs } from '../lab/csvPreview';
import type { TrainerMessage } from '../run/records';
import type { CheckpointProgress } from '../run/modelFiles';
import type { FileEntry, IngestProgress, IngestResult } from '../run/datasets';
import { type IngestChoices, type IngestSource } from '../run/datasets';
import type { CsvPreview } from '../run/layoutOptions';
export type { PendingIngest } from '../run/datasets';

/** A folder as a source gives it: its files, and its directory handle where the browser gives one (resumable). */
export interface SourceFolder {
  files: FileEntry[];
  handle?: FileSystemDirectoryHandle;
}

/** LabBridge plus the file sources the dataset panel needs (they read browser objects, so they run here). */
export interface UiBridge extends LabBridge {
  ingest(
    files: FileEntry[],
    name: string,
    onProgress: (p: IngestProgress) => void,
    signal: AbortSignal,
    choices?: IngestChoices,
    /** The folder's handle, when it came with one: the ingest is then recorded until it finishes, to resume it. */
    folder?: FileSystemDirectoryHandle,
  ): Promise<IngestResult>;
  /** Ingests that did not finish and can resume from their folder handle, newest first. */
  pendingIngests(): Promise<PendingIngest[]>;
  /** Forgets an unfinished ingest (its stored images stay). */
  discardPendingIngest(id: string): Promise<void>;
  /** Asks again for read access to a remembered folder; must be called inside the click handler (user gesture). */
  requestFolderPermission(handle: FileSystemDirectoryHandle): Promise<void>;
  /** Walks the remembered folder again (in the ingest worker) and stores only the images still missing. */
  resumeIngest(pending: PendingIngest, onProgress: (p: IngestProgress) => void, signal: AbortSignal): Promise<IngestResult>;
  /** The layouts the ingest knows, for choosing one by hand. */
  layouts: { id: string; name: string }[];
  /** The layout id the ingest would detect for these files (undefined: none fits). Reads paths only. */
  detectLayout(files: FileEntry[]): string | undefined;
  /** Header, first rows and guessed column roles of every CSV in the files (for the generic-CSV chooser). */
  previewCsvs(files: FileEntry[]): Promise<CsvPreview[]>;
  /** Must be called synchronously inside the drop handler: the DataTransfer is emptied once the handler returns. */
  filesFromDrop(dt: DataTransfer): Promise<SourceFolder>;
  filesFromInput(list: FileList): Promise<FileEntry[]>;
  /** True where showDirectoryPicker exists (Chromium): "Choose dataset folder" then yields a resumable handle. */
  canPickFolder: boolean;
  /** Opens the folder picker (inside a click or key handler); undefined when the user closes it. */
  pickFolder(): Promise<FileSystemDirectoryHandle | undefined>;
  filesFromHandle(handle: FileSystemDirectoryHandle): Promise<SourceFolder>;
  /** The bundled demo (public/demo/), fetched from the page's own origin, with the name its manifest gives. */
  loadDemo(): Promise<{ name: string; files: FileEntry[] }>;
}

/** The distinct whole buffers behind the byte arrays (a view into a larger buffer is not transferred: it would detach the rest). */
function transferables(files: { bytes: Uint8Array }[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const { bytes } of files) {
    if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) out.add(bytes.buffer);
  }
  return [...out];
}

function wrapTrainer(): TrainerApi {
  const worker = new Worker(new URL('../workers/trainer.worker.ts', import.meta.url), { type: 'module' });
  const remote = Comlink.wrap<TrainerApi>(worker);
  return {
    initBackend: (requested) => remote.initBackend(requested),
    // The callback crosses the worker boundary as a Comlink proxy; callers pass a plain function.
    start: (config, onMessage: (m: TrainerMessage) => void) => remote.start(config, Comlink.proxy(onMessage)),
    pause: () => remote.pause(),
    resume: () => remote.resume(),
    stop: () => remote.stop(),
    setLora: (change) => remote.setLora(change),
    setEvalEvery: (n) => remote.setEvalEvery(n),
    metrics: () => remote.metrics(),
    countParams: (preset, numClasses, method, lora) => remote.countParams(preset, numClasses, method, lora),
    // A File is structured-cloned as a handle (no bytes copied); the worker streams it tensor by tensor.
    loadCheckpoint: (file, onProgress: (p: CheckpointProgress) => void) => remote.loadCheckpoint(file, Comlink.proxy(onProgress)),
    listCheckpoints: () => remote.listCheckpoints(),
    exportAdapter: (runName) => remote.exportAdapter(runName),
    exportMerged: (runName) => remote.exportMerged(runName),
    // Adapter files can be megabytes: hand their buffers over instead of copying them.
    importAdapter: (files) => remote.importAdapter(Comlink.transfer(files, transferables(files))),
  };
}

/** The worker crashed or could not start: unlike a parse error, what was stored so far can still resume. */
class IngestWorkerStopped extends Error {}

/** Runs ingests in src/workers/ingest.worker.ts: `signal` becomes a `cancel(id)` message, since it cannot cross. */
function ingestWorkerClient() {
  let worker: Worker | undefined;
  let remote: Comlink.Remote<IngestWorkerApi>;
  let nextId = 1;
  const crashes = new Set<(error: Error) => void>();
  const start = () => {
    const started = new Worker(new URL('../workers/ingest.worker.ts', import.meta.url), { type: 'module' });
    remote = Comlink.wrap<IngestWorkerApi>(started);
    started.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new IngestWorkerStopped(`the ingest worker stopped (${event.message || 'no message'}); the images stored so far are kept`);
      for (const fail of [...crashes]) fail(error);
      crashes.clear();
      started.terminate();
      if (worker === started) worker = undefined;
    });
    worker = started;
  };
  return async (source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void, signal: AbortSignal): Promise<IngestResult> => {
    if (signal.aborted) throw new Error('Ingest cancelled.');
    if (!worker) start();
    const job = remote;
    const id = nextId++;
    const cancel = () => void job.cancel(id).catch(() => undefined);
    signal.addEventListener('abort', cancel);
    let fail: (error: Error) => void = () => undefined;
    const crashed = new Promise<never>((_, reject) => {
      fail = reject;
      crashes.add(fail);
    });
    try {
      // Files cross as structured clones of their handles (no bytes are copied); progress comes back as a proxy.
      return await Promise.race([job.ingest(id, source, name, choices, Comlink.proxy(onProgress)), crashed]);
    } finally {
      signal.removeEventListener('abort', cancel);
      crashes.delete(fail);
    }
  };
}

/** persist() exists on the page only (not in workers); a refusal is the browser's call and not an error. */
function requestPersistentStorage(): void {
  void navigator.storage?.persist?.().catch(() => undefined);
}

export function createBridge(): UiBridge {
  const trainer = wrapTrainer();
  // The ingest worker (and its decode workers) start on the first ingest only: a reload with a stored dataset needs none.
  const runIngest = ingestWorkerClient();

  /** Keeps the resume record while the ingest is unfinished; drops it once the ingest is done or cannot resume. */
  const settle = async (record: PendingIngest | undefined, job: Promise<IngestResult>, signal: AbortSignal): Promise<IngestResult> => {
    const forget = () => (record ? deletePendingIngest(record.id).catch(() => undefined) : undefined);
    try {
      const result = await job;
      // A cancelled or storage-stopped ingest keeps its record: "Resume ingest of …" picks it up again.
      if (!result.cancelled) await forget();
      return result;
    } catch (error) {
      if (!signal.aborted && !(error instanceof IngestWorkerStopped)) await forget();
      throw error;
    }
  };

  return {
    trainer,
    async ingest(files, name, onProgress, signal, choices = {}, folder) {
      requestPersistentStorage();
      // Without the record the ingest still runs; only the resume after a reload is lost.
      const record = folder ? await rememberIngest(folder, name, choices).catch(() => undefined) : undefined;
      return settle(record, runIngest({ files }, name, choices, onProgress, signal), signal);
    },
    pendingIngests: () => listPendingIngests(),
    discardPendingIngest: (id) => deletePendingIngest(id),
    requestFolderPermission: (handle) => requestReadPermission(handle),
    resumeIngest(pending, onProgress, signal) {
      requestPersistentStorage();
      return settle(pending, runIngest({ handle: pending.handle }, pending.name, pending.choices, onProgress, signal), signal);
    },
    layouts: LAYOUTS.map((l) => ({ id: l.id, name: l.name })),
    detectLayout: detectLayoutId,
    // Stays on the page: it reads the header and 50 rows of each CSV and stops, never a whole index.
    previewCsvs: (files) => previewCsvs(files),
    listDatasets: () => listManifests(),
    deleteDataset: (id) => deleteDataset(id),
    filesFromDrop(dt) {
      // Both read the DataTransfer synchronously, before the drop handler returns.
      const handle = directoryHandleFromDataTransfer(dt);
      const files = filesFromDataTransfer(dt);
      return Promise.all([files, handle]).then(([list, folder]) => ({ files: list, handle: folder }));
    },
    filesFromInput: (list) => filesFromFileList(list),
    canPickFolder: canPickDirectory(),
    pickFolder: () => pickDirectory(),
    filesFromHandle: async (handle) => ({ files: await filesFromDirectoryHandle(handle), handle }),
    loadDemo: () => loadDemo(`${import.meta.env.BASE_URL}demo/`),
  };
}

export type { IngestChoices } from '../run/datasets';
