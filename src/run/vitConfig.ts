/**
 * The ViT's configuration. Flat, typed, with defaults; bad combinations fail at construction (timm's habit).
 * Variants only set a few numbers; `tiny` exists for the demo and fast tests. Pure data, so the page can count
 * parameters and show sizes without loading tfjs.
 */

export interface VitConfig {
  imgSize: number;
  patchSize: number;
  inChans: number;
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  numClasses: number;
  /** LayerNorm epsilon: the study's backbones (MAE/MRM) use 1e-6. */
  layerNormEps: number;
}

export type VitPresetName = 'tiny' | 'vit_tiny_patch16' | 'vit_small_patch16' | 'vit_base_patch16';

export const VIT_PRESETS: Record<VitPresetName, Omit<VitConfig, 'numClasses'>> = {
  // Demo / e2e size: runs a step in well under a second even on SwiftShader WebGPU.
  tiny: { imgSize: 64, patchSize: 16, inChans: 3, embedDim: 64, depth: 2, numHeads: 2, mlpRatio: 4, layerNormEps: 1e-6 },
  vit_tiny_patch16: { imgSize: 224, patchSize: 16, inChans: 3, embedDim: 192, depth: 12, numHeads: 3, mlpRatio: 4, layerNormEps: 1e-6 },
  vit_small_patch16: { imgSize: 224, patchSize: 16, inChans: 3, embedDim: 384, depth: 12, numHeads: 6, mlpRatio: 4, layerNormEps: 1e-6 },
  vit_base_patch16: { imgSize: 224, patchSize: 16, inChans: 3, embedDim: 768, depth: 12, numHeads: 12, mlpRatio: 4, layerNormEps: 1e-6 },
};

export function makeVitConfig(preset: VitPresetName, numClasses: number, overrides: Partial<VitConfig> = {}): VitConfig {
  const cfg: VitConfig = { ...VIT_PRESETS[preset], numClasses, ...overrides };
  validateVitConfig(cfg);
  return cfg;
}

export function validateVitConfig(cfg: VitConfig): void {
  const positive: (keyof VitConfig)[] = ['imgSize', 'patchSize', 'inChans', 'embedDim', 'depth', 'numHeads', 'mlpRatio', 'numClasses'];
  for (const k of positive) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`VitConfig.${k} must be a positive integer, got ${v}`);
  }
  if (cfg.imgSize % cfg.patchSize !== 0) throw new Error(`imgSize ${cfg.imgSize} is not a multiple of patchSize ${cfg.patchSize}`);
  if (cfg.embedDim % cfg.numHeads !== 0) throw new Error(`embedDim ${cfg.embedDim} is not divisible by numHeads ${cfg.numHeads}`);
  if (!(cfg.layerNormEps > 0)) throw new Error('layerNormEps must be > 0');
}

export function numPatches(cfg: VitConfig): number {
  return (cfg.imgSize / cfg.patchSize) ** 2;
}

/** Per-backbone input normalisation (study.md): grayscale replicated to 3 channels, then (x - mean) / std. */
export const NORMALISATION = {
  mrm: { mean: 0.4978, std: 0.2449 },
  mae: { mean: 0.4785, std: 0.2834 },
} as const;
