/**
 * The only place the UI touches workers and data modules. React components receive a `UiBridge` and never import
 * Comlink, IndexedDB or the ingest code themselves, so the page can be tested and reasoned about as plain React.
 */
import * as Comlink from 'comlink';
import type { FileEntry, IngestProgress, IngestResult } from '../data/types';
import { filesFromDataTransfer, filesFromFileList, isIgnoredPath, loadDemo } from '../data/fileSource';
import { ingestDataset } from '../data/ingest';
import { LAYOUTS, detectLayout } from '../data/layouts/registry';
import { deleteDataset, listManifests } from '../data/store';
import { DecodePool } from '../workers/decodePool';
import type { CheckpointProgress, LabBridge, TrainerApi, TrainerMessage } from '../workers/protocol';
import { previewCsvs } from './csvPreview';
import type { CsvPreview, ParserOptionsByLayout } from './ingestChoices';

/** Choices the user may make before an ingest (issue 4: a layout by hand when detection is ambiguous). */
export interface IngestChoices {
  /** A layout id from `layouts`; undefined detects it from the paths. */
  layout?: string;
  /** Seeds the random patient-disjoint split of datasets without an official one. */
  seed?: number;
  /** Parser options by layout id; only the entry of the layout actually used reaches its parser. */
  parserOptions?: ParserOptionsByLayout;
  /** Share of the training split to ingest, in (0, 1] (the study's label fractions); val and test stay whole. */
  trainFraction?: number;
}

/** LabBridge plus the file sources the dataset panel needs (they read browser objects, so they run here). */
export interface UiBridge extends LabBridge {
  ingest(
    files: FileEntry[],
    name: string,
    onProgress: (p: IngestProgress) => void,
    signal: AbortSignal,
    choices?: IngestChoices,
  ): Promise<IngestResult>;
  /** The layouts the ingest knows, for choosing one by hand. */
  layouts: { id: string; name: string }[];
  /** The layout id the ingest would detect for these files (undefined: none fits). Reads paths only. */
  detectLayout(files: FileEntry[]): string | undefined;
  /** Header, first rows and guessed column roles of every CSV in the files (for the generic-CSV chooser). */
  previewCsvs(files: FileEntry[]): Promise<CsvPreview[]>;
  /** Must be called synchronously inside the drop handler: the DataTransfer is emptied once the handler returns. */
  filesFromDrop(dt: DataTransfer): Promise<FileEntry[]>;
  filesFromInput(list: FileList): Promise<FileEntry[]>;
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

function detectLayoutId(files: FileEntry[]): string | undefined {
  return detectLayout(files.map((f) => f.path).filter((p) => !isIgnoredPath(p)))?.id;
}

export function createBridge(): UiBridge {
  const trainer = wrapTrainer();
  // Decoding workers are started on the first ingest only: a reload with a stored dataset needs none.
  let pool: DecodePool | undefined;
  return {
    trainer,
    ingest(files, name, onProgress, signal, choices = {}) {
      pool ??= new DecodePool();
      // Detected here (the same scoring parseDataset uses) so that each parser gets only its own options.
      const layout = choices.layout ?? detectLayoutId(files);
      const parserOptions = layout === undefined ? undefined : choices.parserOptions?.[layout];
      const { seed, trainFraction } = choices;
      return ingestDataset(files, { name, decode: pool.decode, onProgress, signal, layout, seed, parserOptions, trainFraction });
    },
    layouts: LAYOUTS.map((l) => ({ id: l.id, name: l.name })),
    detectLayout: detectLayoutId,
    previewCsvs: (files) => previewCsvs(files),
    listDatasets: () => listManifests(),
    deleteDataset: (id) => deleteDataset(id),
    filesFromDrop: (dt) => filesFromDataTransfer(dt),
    filesFromInput: (list) => filesFromFileList(list),
    loadDemo: () => loadDemo(`${import.meta.env.BASE_URL}demo/`),
  };
}
