/**
 * The page's side of the worker boundary, and the only way the UI reaches anything below it: it starts the training
 * and ingest workers, wraps their Comlink APIs (src/lab/trainer.ts, src/lab/datasets.ts), and reads the browser
 * objects that exist on the page only (a drop's DataTransfer, a FileList, the folder picker, permission prompts).
 * React components receive a `LabClient` and never import Comlink, IndexedDB or the ingest code themselves.
 */
import * as Comlink from 'comlink';
import {
  canPickDirectory,
  directoryHandleFromDataTransfer,
  filesFromDataTransfer,
  filesFromDirectoryHandle,
  filesFromFileList,
  loadDemo,
  pickDirectory,
  requestReadPermission,
} from '../data/fileSource';
import type { DatasetApi } from '../lab/datasets';
import type { TrainerApi } from '../lab/trainer';
import type { DatasetManifest, FileEntry, IngestChoices, IngestProgress, IngestResult, IngestSource, PendingIngest } from '../run/datasets';
import type { CsvPreview } from '../run/layoutOptions';
import type { CheckpointProgress } from '../run/modelFiles';
import type { TrainerMessage } from '../run/records';

/** A folder as a source gives it: its files, and its directory handle where the browser gives one (resumable). */
export interface SourceFolder {
  files: FileEntry[];
  handle?: FileSystemDirectoryHandle;
}

/** Everything the page can ask of the lab. */
export interface LabClient {
  trainer: TrainerApi;
  /**
   * Calls `listener` when the training worker crashes (an uncaught error, e.g. out of memory). The client has then
   * started a fresh worker (same backend request); the run it trained is kept in storage and shows as interrupted.
   */
  onTrainerCrash(listener: (message: string) => void): () => void;
  ingest(
    files: FileEntry[],
    name: string,
    onProgress: (p: IngestProgress) => void,
    signal: AbortSignal,
    choices?: IngestChoices,
    /** The folder's handle, when it came with one: the ingest is then recorded until it finishes, to resume it. */
    folder?: FileSystemDirectoryHandle,
  ): Promise<IngestResult>;
  listDatasets(): Promise<DatasetManifest[]>;
  deleteDataset(id: string): Promise<void>;
  /** Ingests that did not finish and can resume from their folder handle, newest first. */
  pendingIngests(): Promise<PendingIngest[]>;
  /** Forgets an unfinished ingest (its stored images stay). */
  discardPendingIngest(id: string): Promise<void>;
  /** Asks again for read access to a remembered folder; must be called inside the click handler (user gesture). */
  requestFolderPermission(handle: FileSystemDirectoryHandle): Promise<void>;
  /** Walks the remembered folder again (in the ingest worker) and stores only the images still missing. */
  resumeIngest(pending: PendingIngest, onProgress: (p: IngestProgress) => void, signal: AbortSignal): Promise<IngestResult>;
  /** The layouts the ingest knows, for choosing one by hand. */
  layouts(): Promise<{ id: string; name: string }[]>;
  /** The layout id the ingest would detect for these files (undefined: none fits). Sends paths only. */
  detectLayout(files: FileEntry[]): Promise<string | undefined>;
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

/**
 * The training worker, started again after a crash: a worker that reported an uncaught error is terminated (its
 * state cannot be trusted) and a fresh one chooses the backend the page asked for. Terminating it releases the run's
 * Web Lock, so the run shows as interrupted and can resume.
 */
class TrainerWorker {
  private worker!: Worker;
  remote!: Comlink.Remote<TrainerApi>;
  /** The page's backend request, made again by a restarted worker. */
  requested: Parameters<TrainerApi['initBackend']>[0] = null;
  private readonly listeners = new Set<(message: string) => void>();

  constructor() {
    this.start();
  }

  private start(): void {
    const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    this.remote = Comlink.wrap<TrainerApi>(worker);
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (this.worker !== worker) return;
      worker.terminate();
      this.start();
      void this.remote.initBackend(this.requested).catch(() => undefined);
      for (const listener of this.listeners) listener(event.message || 'no message');
    });
  }

  onCrash(listener: (message: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function wrapTrainer(worker: TrainerWorker): TrainerApi {
  // Every call goes to the current worker (a crash replaces it).
  const remote = new Proxy({} as Comlink.Remote<TrainerApi>, { get: (_, key) => worker.remote[key as keyof TrainerApi] });
  return {
    initBackend: (requested) => {
      worker.requested = requested;
      return remote.initBackend(requested);
    },
    // Callbacks cross the worker boundary as Comlink proxies; callers pass plain functions.
    start: (config, onMessage: (m: TrainerMessage) => void, options) => remote.start(config, Comlink.proxy(onMessage), options),
    resumeRun: (runId, onMessage: (m: TrainerMessage) => void, overrides) => remote.resumeRun(runId, Comlink.proxy(onMessage), overrides),
    pause: () => remote.pause(),
    resume: () => remote.resume(),
    stop: () => remote.stop(),
    setLora: (change) => remote.setLora(change),
    setEvalEvery: (n) => remote.setEvalEvery(n),
    metrics: () => remote.metrics(),
    listRuns: () => remote.listRuns(),
    runMetrics: (runId) => remote.runMetrics(runId),
    deleteRun: (runId) => remote.deleteRun(runId),
    exportRunAdapter: (runId) => remote.exportRunAdapter(runId),
    exportRunMerged: (runId) => remote.exportRunMerged(runId),
    storageUse: () => remote.storageUse(),
    startGrid: (spec, onMessage: (m: TrainerMessage) => void) => remote.startGrid(spec, Comlink.proxy(onMessage)),
    resumeGrid: (gridId, onMessage: (m: TrainerMessage) => void) => remote.resumeGrid(gridId, Comlink.proxy(onMessage)),
    cancelGrid: () => remote.cancelGrid(),
    listGrids: () => remote.listGrids(),
    injectFault: (kind, bytes) => remote.injectFault(kind, bytes),
    exportRunForPytorch: (runId) => remote.exportRunForPytorch(runId),
    exportGridForPytorch: (gridId) => remote.exportGridForPytorch(gridId),
    importRunResults: (files) => remote.importRunResults(Comlink.transfer(files, transferables(files))),
    // A File is structured-cloned as a handle (no bytes copied); the worker streams it tensor by tensor.
    loadCheckpoint: (file, onProgress: (p: CheckpointProgress) => void) => remote.loadCheckpoint(file, Comlink.proxy(onProgress)),
    listCheckpoints: () => remote.listCheckpoints(),
    exportAdapter: (runName) => remote.exportAdapter(runName),
    exportMerged: (runName) => remote.exportMerged(runName),
    // Adapter files can be megabytes: hand their buffers over instead of copying them.
    importAdapter: (files) => remote.importAdapter(Comlink.transfer(files, transferables(files))),
    step: () => remote.step(),
    sampleImage: (datasetId, imgSize, augment) => remote.sampleImage(datasetId, imgSize, augment),
    adapterSpectrum: (site) => remote.adapterSpectrum(site),
    // Images and heat values come back transferred by the worker (src/lab/transfer.ts).
    predictions: (runId, split) => remote.predictions(runId, split),
    images: (datasetId, keys) => remote.images(datasetId, keys),
    saliency: (request) => remote.saliency(request),
    checkImage: (file, runId, force) => remote.checkImage(file, runId, force),
  };
}

/** The worker crashed or could not start: unlike a parse error, what was stored so far can still resume. */
class DatasetWorkerStopped extends Error {}

/**
 * The ingest worker (src/workers/ingest.worker.ts), started on the first call and started again after a crash.
 * `call` runs one request; a crash rejects every request in flight with DatasetWorkerStopped.
 */
function datasetWorker() {
  let worker: Worker | undefined;
  let remote: Comlink.Remote<DatasetApi>;
  const crashes = new Set<(error: Error) => void>();
  const start = () => {
    const started = new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' });
    remote = Comlink.wrap<DatasetApi>(started);
    started.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new DatasetWorkerStopped(`the ingest worker stopped (${event.message || 'no message'}); the images stored so far are kept`);
      for (const fail of [...crashes]) fail(error);
      crashes.clear();
      started.terminate();
      if (worker === started) worker = undefined;
    });
    worker = started;
  };
  return async <T>(request: (api: Comlink.Remote<DatasetApi>) => Promise<T>): Promise<T> => {
    if (!worker) start();
    let fail: (error: Error) => void = () => undefined;
    const crashed = new Promise<never>((_, reject) => {
      fail = reject;
      crashes.add(fail);
    });
    try {
      return await Promise.race([request(remote), crashed]);
    } finally {
      crashes.delete(fail);
    }
  };
}

/** persist() exists on the page only (not in workers); a refusal is the browser's call and not an error. */
function requestPersistentStorage(): void {
  void navigator.storage?.persist?.().catch(() => undefined);
}

export function createLabClient(): LabClient {
  const trainerWorker = new TrainerWorker();
  const trainer = wrapTrainer(trainerWorker);
  // Test hooks for the fault e2e tests only: a page opened with ?fault-hooks can lose its WebGPU device or crash its
  // training worker on purpose (e2e/faults.spec.ts). Without the parameter nothing is exposed.
  if (new URLSearchParams(globalThis.location?.search ?? '').has('fault-hooks')) {
    (globalThis as unknown as { cxrLabFaults: unknown }).cxrLabFaults = {
      inject: (kind: 'device-lost' | 'worker-crash' | 'storage-full', bytes?: number | null) => trainer.injectFault(kind, bytes),
      ingestStorageFull: (bytes: number | null) => datasets((api) => api.simulateStorageFull(bytes)),
    };
  }
  const datasets = datasetWorker();
  let nextIngestId = 1;

  /** One ingest job: `signal` becomes a `cancel(id)` message, since an AbortSignal cannot cross to the worker. */
  const runIngest = async (source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void, signal: AbortSignal) => {
    if (signal.aborted) throw new Error('Ingest cancelled.');
    const id = nextIngestId++;
    return datasets(async (api) => {
      const cancel = () => void api.cancel(id).catch(() => undefined);
      signal.addEventListener('abort', cancel);
      try {
        // Files cross as structured clones of their handles (no bytes are copied); progress comes back as a proxy.
        return await api.ingest(id, source, name, choices, Comlink.proxy(onProgress));
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    });
  };

  /** Keeps the resume record while the ingest is unfinished; drops it once the ingest is done or cannot resume. */
  const settle = async (record: PendingIngest | undefined, job: Promise<IngestResult>, signal: AbortSignal): Promise<IngestResult> => {
    const forget = () => (record ? datasets((api) => api.discardPendingIngest(record.id)).catch(() => undefined) : undefined);
    try {
      const result = await job;
      // A cancelled or storage-stopped ingest keeps its record: "Resume ingest of …" picks it up again.
      if (!result.cancelled) await forget();
      return result;
    } catch (error) {
      if (!signal.aborted && !(error instanceof DatasetWorkerStopped)) await forget();
      throw error;
    }
  };

  return {
    trainer,
    onTrainerCrash: (listener) => trainerWorker.onCrash(listener),
    async ingest(files, name, onProgress, signal, choices = {}, folder) {
      requestPersistentStorage();
      // Without the record the ingest still runs; only the resume after a reload is lost.
      const record = folder ? await datasets((api) => api.rememberIngest(folder, name, choices)).catch(() => undefined) : undefined;
      return settle(record, runIngest({ files }, name, choices, onProgress, signal), signal);
    },
    listDatasets: () => datasets((api) => api.listDatasets()),
    deleteDataset: (id) => datasets((api) => api.deleteDataset(id)),
    pendingIngests: () => datasets((api) => api.pendingIngests()),
    discardPendingIngest: (id) => datasets((api) => api.discardPendingIngest(id)),
    requestFolderPermission: (handle) => requestReadPermission(handle),
    resumeIngest(pending, onProgress, signal) {
      requestPersistentStorage();
      return settle(pending, runIngest({ handle: pending.handle }, pending.name, pending.choices, onProgress, signal), signal);
    },
    layouts: () => datasets((api) => api.layouts()),
    detectLayout: (files) => datasets((api) => api.detectLayout(files.map((f) => f.path))),
    // Only the CSVs cross (the worker reads each one's header and 50 rows, never a whole index).
    previewCsvs: (files) => datasets((api) => api.previewCsvs(files.filter((f) => f.path.toLowerCase().endsWith('.csv')))),
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
