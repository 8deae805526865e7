/**
 * The parameter names and shapes of a timm-layout ViT and of its LoRA adapters, computed from the config alone
 * (no tensors), so counting, initialising and loading all agree on one table.
 */
import { type VitConfig, numPatches } from './vitConfig';
import type { QkvPart, LoraConfig } from './loraConfig';

export function vitParamShapes(cfg: VitConfig): Map<string, number[]> {
  const d = cfg.embedDim;
  const hidden = d * cfg.mlpRatio;
  const p = cfg.patchSize;
  const shapes = new Map<string, number[]>();
  shapes.set('patch_embed.proj.weight', [d, cfg.inChans, p, p]);
  shapes.set('patch_embed.proj.bias', [d]);
  shapes.set('cls_token', [1, 1, d]);
  shapes.set('pos_embed', [1, numPatches(cfg) + 1, d]);
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    shapes.set(`${b}.norm1.weight`, [d]);
    shapes.set(`${b}.norm1.bias`, [d]);
    shapes.set(`${b}.attn.qkv.weight`, [3 * d, d]);
    shapes.set(`${b}.attn.qkv.bias`, [3 * d]);
    shapes.set(`${b}.attn.proj.weight`, [d, d]);
    shapes.set(`${b}.attn.proj.bias`, [d]);
    shapes.set(`${b}.norm2.weight`, [d]);
    shapes.set(`${b}.norm2.bias`, [d]);
    shapes.set(`${b}.mlp.fc1.weight`, [hidden, d]);
    shapes.set(`${b}.mlp.fc1.bias`, [hidden]);
    shapes.set(`${b}.mlp.fc2.weight`, [d, hidden]);
    shapes.set(`${b}.mlp.fc2.bias`, [d]);
  }
  shapes.set('fc_norm.weight', [d]);
  shapes.set('fc_norm.bias', [d]);
  shapes.set('head.weight', [cfg.numClasses, d]);
  shapes.set('head.bias', [cfg.numClasses]);
  return shapes;
}

/** Parameters a freshly added classifier gets; everything else is the backbone. */
export const HEAD_PARAM_NAMES = ['head.weight', 'head.bias'] as const;

export const NEW_FOR_FINETUNE = ['fc_norm.weight', 'fc_norm.bias', 'head.weight', 'head.bias'] as const;

export interface LoraSite {
  /** timm module path, e.g. 'blocks.3.attn.qkv' */
  module: string;
  /** which third of a fused qkv output; null for an unfused Linear */
  part: QkvPart | null;
  inFeatures: number;
  outFeatures: number;
  /** first output row of the module's weight this adapter writes to */
  rowOffset: number;
}

const PART_INDEX: Record<QkvPart, number> = { q: 0, k: 1, v: 2 };

export function loraSites(vitCfg: VitConfig, cfg: LoraConfig): LoraSite[] {
  const d = vitCfg.embedDim;
  const hidden = d * vitCfg.mlpRatio;
  const sites: LoraSite[] = [];
  const parts = [...cfg.targets.qkv].sort((a, b) => PART_INDEX[a] - PART_INDEX[b]);
  for (let i = 0; i < vitCfg.depth; i++) {
    for (const part of parts) {
      sites.push({ module: `blocks.${i}.attn.qkv`, part, inFeatures: d, outFeatures: d, rowOffset: PART_INDEX[part] * d });
    }
    if (cfg.targets.proj) sites.push({ module: `blocks.${i}.attn.proj`, part: null, inFeatures: d, outFeatures: d, rowOffset: 0 });
    if (cfg.targets.fc1) sites.push({ module: `blocks.${i}.mlp.fc1`, part: null, inFeatures: d, outFeatures: hidden, rowOffset: 0 });
    if (cfg.targets.fc2) sites.push({ module: `blocks.${i}.mlp.fc2`, part: null, inFeatures: hidden, outFeatures: d, rowOffset: 0 });
  }
  return sites;
}

export function loraTensorName(site: LoraSite, which: 'lora_A' | 'lora_B'): string {
  return site.part ? `${site.module}.${which}.${site.part}` : `${site.module}.${which}`;
}
