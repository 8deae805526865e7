/**
 * Which tensors train under each method, and how many numbers that is. Counting is analytic (no tensors),
 * so the UI can show "Trainable parameters" before a model exists.
 */
import type { VitConfig } from './vitConfig';
import type { LoraConfig, Method } from './loraConfig';
import { vitParamShapes, loraSites } from './paramShapes';

export interface ParamCount {
  trainable: number;
  total: number;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Backbone = everything but the head (fc_norm included, as the study's 85,798,656 for ViT-B/16 counts it). */
export function countVitParams(cfg: VitConfig): { backbone: number; head: number; fcNorm: number } {
  let backbone = 0;
  let head = 0;
  let fcNorm = 0;
  for (const [name, shape] of vitParamShapes(cfg)) {
    if (name.startsWith('head.')) head += size(shape);
    else backbone += size(shape);
    if (name.startsWith('fc_norm.')) fcNorm += size(shape);
  }
  return { backbone, head, fcNorm };
}

export function countLoraParams(cfg: VitConfig, lora: LoraConfig): number {
  return loraSites(cfg, lora).reduce((n, s) => n + lora.r * (s.inFeatures + s.outFeatures), 0);
}

export function countParams(cfg: VitConfig, method: Method, lora: LoraConfig): ParamCount {
  const { backbone, head, fcNorm } = countVitParams(cfg);
  if (method === 'fft') return { trainable: backbone + head, total: backbone + head };
  if (method === 'linear') return { trainable: fcNorm + head, total: backbone + head };
  const adapter = countLoraParams(cfg, lora);
  return { trainable: adapter + fcNorm + head, total: backbone + head + adapter };
}

/** Names of the base (non-LoRA) parameters that train under a method. */
export function trainableBaseParams(cfg: VitConfig, method: Method): string[] {
  const names = [...vitParamShapes(cfg).keys()];
  if (method === 'fft') return names;
  return names.filter((n) => n.startsWith('fc_norm.') || n.startsWith('head.'));
}
