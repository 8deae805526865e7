/**
 * The data contract shared by layouts, ingest, the IndexedDB store, batch streaming and the workers.
 * Pure types: no DOM, no React, no tfjs.
 */

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];
/** A file of a dropped / chosen / bundled folder, with its path relative to the dropped root, '/'-separated. */
export interface FileEntry {
  path: string;
  file: Blob & { name?: string };
}
/**
 * Label values as the publisher writes them after mapping: 1 positive, 0 negative,
 * -1 "ignore" (masked out of loss and AUROC, e.g. CheXpert U-Ignore).
 */
export type LabelValue = 0 | 1 | -1;

export interface Problem {
  path: string;
  reason: string;
}

/** Stored once per dataset in IndexedDB. */
export interface DatasetManifest {
  id: string;
  name: string;
  layout: string;
  labels: string[];
  /** Images are stored as 8-bit grayscale, storageSize x storageSize (stretched to square). */
  storageSize: number;
  counts: Record<Split, number>;
  /** Positives per label in each split (for the prevalence table). */
  positives: Record<Split, number[]>;
  createdAt: number;
  notes: string[];
  /** True while an ingest has not finished (a reload can resume it). */
  incomplete?: boolean;
}

/** A stored image: the unit the batch stream reads. */
export interface StoredImage {
  datasetId: string;
  /** DatasetEntry.path */
  key: string;
  split: Split;
  labels: LabelValue[];
  patientId?: string;
  /** storageSize * storageSize bytes, row-major grayscale. */
  pixels: Uint8Array;
  /** Set when the out-of-distribution guard flagged the image (it was kept by the user's choice). */
  ood?: { score: number; reason: string };
}

/** A fixed-shape batch as it leaves the stream (pixels still 8-bit; normalisation happens on the GPU). */
export interface Batch {
  /** batchSize * size * size */
  pixels: Uint8Array;
  /** batchSize * numLabels, values 0/1 (ignored entries are 0 and have mask 0). */
  labels: Float32Array;
  /** batchSize * numLabels, 1 where the label counts in loss and AUROC. */
  mask: Float32Array;
  /** How many rows are real; the rest repeat earlier rows to keep the shape fixed (evaluation only). */
  valid: number;
  batchSize: number;
  size: number;
  /** eval batches only: the stored image key of each row (padding rows repeat earlier keys), for predictions by image. */
  keys?: string[];
}

export interface IngestProgress {
  phase: 'scanning' | 'parsing' | 'decoding' | 'done' | 'cancelled' | 'error';
  done: number;
  total: number;
  skipped: number;
  /** images per second over the decoding phase so far */
  rate: number;
  /** seconds, NaN when unknown */
  eta: number;
  message?: string;
}

/** An image that does not look like a chest radiograph (the out-of-distribution guard, src/data/ood/). */
export interface FlaggedImage {
  path: string;
  /** In (0, 1): higher is less like a chest radiograph. */
  score: number;
  reason: string;
  /** false: stored anyway (flagged in the report); true: left out by the user's choice. */
  excluded: boolean;
}

export interface IngestResult {
  datasetId: string;
  manifest: DatasetManifest;
  ingested: number;
  skipped: Problem[];
  cancelled: boolean;
  /** Set when the ingest stopped on its own (e.g. storage full); what was stored is kept and can be resumed. */
  error?: string;
  /** Images the out-of-distribution guard flagged ("looks like a colour photograph", "not a chest radiograph"). */
  flagged?: FlaggedImage[];
}

/** Choices the user may make before an ingest (issue 4: a layout by hand when detection is ambiguous). */
export interface IngestChoices {
  /** A layout id from the registry; undefined detects it from the paths. */
  layout?: string;
  /** Seeds the random patient-disjoint split of datasets without an official one. */
  seed?: number;
  /** Parser options by layout id; only the entry of the layout actually used reaches its parser. */
  parserOptions?: Record<string, Record<string, unknown>>;
  /** Share of the training split to ingest, in (0, 1] (the study's label fractions); val and test stay whole. */
  trainFraction?: number;
  /** Leave out the images the out-of-distribution guard flags (default: store them and flag them in the report). */
  excludeOutOfDistribution?: boolean;
}

/** What a job ingests: files already read by the page, or a folder handle to walk here (a resumed ingest). */
export type IngestSource = { files: FileEntry[] } | { handle: FileSystemDirectoryHandle };

/**
 * An ingest of a folder that came with a FileSystemDirectoryHandle (a drop in Chromium, or showDirectoryPicker) and
 * has not finished: kept so that after a reload the page can offer "Resume ingest of <name>". Handles are
 * structured-cloneable (WHATWG File System, FileSystemHandle is [Serializable]), which is what lets IndexedDB keep them.
 */
export interface PendingIngest {
  id: string;
  /** The dataset name the ingest stores (the folder's name as the page showed it). */
  name: string;
  handle: FileSystemDirectoryHandle;
  /** The choices of the first attempt: a resume must compute the same dataset id to skip what is stored. */
  choices: IngestChoices;
  startedAt: number;
}
