import type { VitPresetName } from '../../run/vitConfig';
import type { Method } from '../../run/loraConfig';

export const PRESET_LABELS: Record<VitPresetName, string> = {
  tiny: 'Tiny demo (64 px, 2 blocks)',
  vit_tiny_patch16: 'ViT-Ti/16',
  vit_small_patch16: 'ViT-S/16',
  vit_base_patch16: 'ViT-B/16',
};

export const METHOD_LABELS: Record<Method, string> = {
  lora: 'LoRA',
  fft: 'Full fine-tuning',
  linear: 'Linear probe',
};
