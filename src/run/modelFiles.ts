/** A backbone loaded from a user's checkpoint file and cached in IndexedDB. */
export interface CheckpointInfo {
  id: string;
  fileName: string;
  /** 'safetensors' | 'pth' */
  sourceFormat: string;
  /** Architecture inferred from the shapes (patch size, width, depth, heads, input size). */
  arch: { imgSize: number; patchSize: number; embedDim: number; depth: number; numHeads: number };
  loaded: string[];
  ignored: string[];
  missing: string[];
  newlyInitialised: string[];
  notes: string[];
}

export interface CheckpointProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current: string;
}

/** A file for the page to save (the worker builds it, the page downloads it). */
export interface ExportedFile {
  fileName: string;
  bytes: Uint8Array;
  mime: string;
}

/** An imported PEFT adapter, waiting to initialise the next LoRA run. */
export interface ImportedAdapterInfo {
  r: number;
  lora_alpha: number;
  use_rslora: boolean;
  targets: string[];
  /** fc_norm / head weights came with it (modules_to_save) */
  withHead: boolean;
  note: string;
}
