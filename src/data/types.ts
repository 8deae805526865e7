/**
 * The data contract shared by layouts, ingest, the IndexedDB store, batch streaming and the workers.
 * Pure types: no DOM, no React, no tfjs.
 */
import type { FileEntry, LabelValue, Split, Problem } from '../run/datasets';

/** One image a layout found, before decoding. */
export interface DatasetEntry {
  /** Path relative to the dropped root; unique within a dataset and used as the image key. */
  path: string;
  file: FileEntry['file'];
  labels: LabelValue[];
  patientId?: string;
  /** Set when the layout carries an official split (folder level, split list files, ...). */
  split?: Split;
}

/** What a layout parser returns. */
export interface ParsedDataset {
  layout: string;
  /** Label names, in the order of DatasetEntry.labels (NIH: the study's 14-label order). */
  labels: string[];
  entries: DatasetEntry[];
  /** Files or rows that were skipped, each with a human-readable reason. */
  problems: Problem[];
  /** Sentences shown to the user about what was recognised ("NIH ChestX-ray14: 212 rows, 159 patients"). */
  notes: string[];
}

export interface LayoutParser {
  /** Stable id, e.g. "class-folders", "nih". */
  id: string;
  /** Human name shown in the UI. */
  name: string;
  /** 0 = not this layout; higher = more certain. Looks only at paths (cheap). */
  detect(paths: string[]): number;
  parse(files: FileEntry[], options?: Record<string, unknown>): Promise<ParsedDataset>;
}
