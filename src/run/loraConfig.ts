/**
 * The fine-tuning method and the LoRA adapter's configuration, with HF PEFT's names (r, lora_alpha,
 * lora_dropout, use_rslora). Plain data shared by the page (sliders), the run config and src/model/lora.ts.
 */
export type Method = 'lora' | 'fft' | 'linear';

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
