/**
 * Model and adapter configuration. Flat, typed, with defaults; bad combinations fail at construction
 * (timm's habit). Variants only set a few numbers; `tiny` exists for the demo and fast tests.
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

export const PRESET_LABELS: Record<VitPresetName, string> = {
  tiny: 'Tiny demo (64 px, 2 blocks)',
  vit_tiny_patch16: 'ViT-Ti/16',
  vit_small_patch16: 'ViT-S/16',
  vit_base_patch16: 'ViT-B/16',
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

export type Method = 'lora' | 'fft' | 'linear';

export const METHOD_LABELS: Record<Method, string> = {
  lora: 'LoRA',
  fft: 'Full fine-tuning',
  linear: 'Linear probe',
};

/** Parts of the fused qkv projection, in the order timm stores them (q | k | v). */
export type QkvPart = 'q' | 'k' | 'v';

/**
 * Which layers get a LoRA adapter. The study adapts q and v of the fused `attn.qkv` only
 * (microsoft/LoRA MergedLinear with enable_lora=[True, False, True]).
 */
export interface LoraTargets {
  qkv: QkvPart[];
  proj: boolean;
  fc1: boolean;
  fc2: boolean;
}

/** Names follow HF PEFT's LoraConfig: r, lora_alpha, lora_dropout, use_rslora. */
export interface LoraConfig {
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** rsLoRA (Kalajdzievski 2023): scaling = alpha / sqrt(r) instead of alpha / r. */
  use_rslora: boolean;
  targets: LoraTargets;
}

export const STUDY_LORA: LoraConfig = {
  r: 8,
  lora_alpha: 32,
  lora_dropout: 0.1,
  use_rslora: false,
  targets: { qkv: ['q', 'v'], proj: false, fc1: false, fc2: false },
};

export const LORA_RANK_RANGE = { min: 1, max: 64 } as const;
export const LORA_ALPHA_RANGE = { min: 1, max: 128 } as const;

export function loraScaling(cfg: Pick<LoraConfig, 'r' | 'lora_alpha' | 'use_rslora'>): number {
  return cfg.use_rslora ? cfg.lora_alpha / Math.sqrt(cfg.r) : cfg.lora_alpha / cfg.r;
}

export function validateLoraConfig(cfg: LoraConfig): void {
  if (!Number.isInteger(cfg.r) || cfg.r < LORA_RANK_RANGE.min || cfg.r > LORA_RANK_RANGE.max) {
    throw new Error(`LoRA rank must be an integer in [${LORA_RANK_RANGE.min}, ${LORA_RANK_RANGE.max}], got ${cfg.r}`);
  }
  if (!(cfg.lora_alpha > 0)) throw new Error(`lora_alpha must be > 0, got ${cfg.lora_alpha}`);
  if (!(cfg.lora_dropout >= 0 && cfg.lora_dropout < 1)) throw new Error(`lora_dropout must be in [0, 1), got ${cfg.lora_dropout}`);
  const t = cfg.targets;
  if (t.qkv.length === 0 && !t.proj && !t.fc1 && !t.fc2) throw new Error('LoRA needs at least one target module');
}

/** Per-backbone input normalisation (study.md): grayscale replicated to 3 channels, then (x - mean) / std. */
export const NORMALISATION = {
  mrm: { mean: 0.4978, std: 0.2449 },
  mae: { mean: 0.4785, std: 0.2834 },
} as const;
