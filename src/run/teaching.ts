/**
 * Plain data behind the teaching explanations: one stored image as the model sees it (for the "what a ViT sees"
 * patch drawing) and the singular values of one running adapter's B A (for "what LoRA changes"). The worker fills
 * them (src/lab/teaching.ts); the page draws them.
 */
import type { LoraSite } from './paramShapes';

/** One training image of a stored dataset, resized (and centre-cropped when the run augments) to the model's input. */
export interface SampleImage {
  datasetId: string;
  /** The image's stored path. */
  key: string;
  /** Names of the labels that are positive for it. */
  positives: string[];
  /** Side in pixels (the model's input size). */
  size: number;
  /** size * size bytes, row-major grayscale. */
  pixels: Uint8Array;
}

/** The singular values of B A for one adapted matrix of the running model. */
export interface AdapterSpectrum {
  /** Every adapted matrix of the model, as siteId() names them, in model order. */
  sites: string[];
  /** The one these values belong to. */
  site: string;
  /** B is [out, r], A is [r, in]. */
  r: number;
  out: number;
  in: number;
  /** alpha / r, or alpha / sqrt(r) with rsLoRA: the update the model adds is scaling * B A. */
  scaling: number;
  /** Singular values of B A (not scaled), descending; r of them. */
  singularValues: number[];
  /** The training step the adapter was read at. */
  step: number;
}

/** "blocks.0.attn.qkv.q" for the q third of a fused qkv, the module path otherwise. */
export function siteId(site: Pick<LoraSite, 'module' | 'part'>): string {
  return site.part ? `${site.module}.${site.part}` : site.module;
}
