/**
 * The only place the UI touches workers and data modules. React components receive a `UiBridge` and never import
 * Comlink, IndexedDB or the ingest code themselves, so the page can be tested and reasoned about as plain React.
 */
import * as Comlink from 'comlink';
import type { FileEntry, IngestProgress, IngestResult } from '../data/types';
import { filesFromDataTransfer, filesFromFileList, loadDemo } from '../data/fileSource';
import { ingestDataset } from '../data/ingest';
import { LAYOUTS } from '../data/layouts/registry';
import { deleteDataset, listManifests } from '../data/store';
import { DecodePool } from '../workers/decodePool';
import type { LabBridge, TrainerApi, TrainerMessage } from '../workers/protocol';

/** Choices the user may make before an ingest (issue 4: a layout by hand when detection is ambiguous). */
export interface IngestChoices {
  /** A layout id from `layouts`; undefined detects it from the paths. */
  layout?: string;
  /** Seeds the random patient-disjoint split of datasets without an official one. */
  seed?: number;
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
  /** Must be called synchronously inside the drop handler: the DataTransfer is emptied once the handler returns. */
  filesFromDrop(dt: DataTransfer): Promise<FileEntry[]>;
  filesFromInput(list: FileList): Promise<FileEntry[]>;
  /** The bundled demo (public/demo/), fetched from the page's own origin, with the name its manifest gives. */
  loadDemo(): Promise<{ name: string; files: FileEntry[] }>;
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
  };
}

export function createBridge(): UiBridge {
  const trainer = wrapTrainer();
  // Decoding workers are started on the first ingest only: a reload with a stored dataset needs none.
  let pool: DecodePool | undefined;
  return {
    trainer,
    ingest(files, name, onProgress, signal, choices = {}) {
      pool ??= new DecodePool();
      return ingestDataset(files, { name, decode: pool.decode, onProgress, signal, layout: choices.layout, seed: choices.seed });
    },
    layouts: LAYOUTS.map((l) => ({ id: l.id, name: l.name })),
    listDatasets: () => listManifests(),
    deleteDataset: (id) => deleteDataset(id),
    filesFromDrop: (dt) => filesFromDataTransfer(dt),
    filesFromInput: (list) => filesFromFileList(list),
    loadDemo: () => loadDemo(`${import.meta.env.BASE_URL}demo/`),
  };
}
