/**
 * LoRA adapters in HF PEFT's on-disk format: `adapter_config.json` + `adapter_model.safetensors`, keys
 * `base_model.model.<module>.lora_A.weight` [R, in] / `.lora_B.weight` [out, R], and the modules_to_save
 * (fc_norm, head) under their plain names `base_model.model.head.weight` — PEFT's get_peft_model_state_dict
 * drops "modules_to_save." and the adapter name when saving (peft/utils/save_and_load.py).
 * The fused-qkv mapping is documented and implemented in peftMapping.ts.
 * PEFT writes the config with json.dumps(indent=2, sort_keys=True); so does this module.
 * Both files also say "Not for medical use" (src/run/notice.ts): a `notice` key in adapter_config.json (PEFT >= 0.13
 * drops keys it does not know, with a warning; older PEFT refuses them) and in the weights' `__metadata__`.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { type VitConfig } from '../run/vitConfig';
import { LoraAdapter } from '../model/lora';
import type { VitModel } from '../model/vit';
import { fuseQkv, fusedAlpha, orderedParts, splitQkv } from './peftMapping';
import { type HostTensor, readSafetensors, writeSafetensors } from '../formats/safetensors';
import { type LoraConfig, type LoraTargets, type QkvPart, STUDY_LORA, validateLoraConfig } from '../run/loraConfig';
import { loraSites, loraTensorName } from '../run/paramShapes';
import { NOT_FOR_MEDICAL_USE } from '../run/notice';
export const PEFT_PREFIX = 'base_model.model.';
export const MODULES_TO_SAVE = ['fc_norm', 'head'] as const;
const CLASSIFIER_PARAMS = ['fc_norm.weight', 'fc_norm.bias', 'head.weight', 'head.bias'];

/** The fields of PEFT's LoraConfig that the lab writes (PEFT fills the rest with its defaults on load). */
export interface PeftLoraConfigJson {
  alpha_pattern: Record<string, number>;
  base_model_name_or_path: string | null;
  bias: 'none';
  fan_in_fan_out: boolean;
  inference_mode: boolean;
  init_lora_weights: boolean;
  layers_pattern: null;
  layers_to_transform: null;
  lora_alpha: number;
  lora_dropout: number;
  modules_to_save: string[] | null;
  peft_type: 'LORA';
  r: number;
  rank_pattern: Record<string, number>;
  revision: null;
  target_modules: string[];
  task_type: null;
  use_dora: boolean;
  use_rslora: boolean;
  /** Not one of PEFT's fields: the lab's "Not for medical use". */
  notice: string;
}

export interface PeftAdapterFiles {
  config: PeftLoraConfigJson;
  configJson: string;
  safetensors: Uint8Array<ArrayBuffer>;
}

function sortedKeys<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

async function host(t: tf.Tensor): Promise<HostTensor> {
  return { shape: t.shape, data: Float32Array.from(await t.data()) };
}

/**
 * The model's LoRA adapter (+ fc_norm and head) as PEFT files. Unfused targets (proj, fc1, fc2) keep rank r
 * and alpha; fused qkv modules get rank m r and alpha m alpha (rsLoRA: sqrt(m) alpha) — through the top-level
 * r / lora_alpha when qkv is the only target, else through rank_pattern / alpha_pattern.
 */
export async function exportPeftAdapter(model: VitModel, baseModelNameOrPath: string | null = null): Promise<PeftAdapterFiles> {
  const lora = model.lora;
  if (!lora) throw new Error('this model has no LoRA adapter to export');
  const cfg = lora.config;
  const dim = model.cfg.embedDim;
  const parts = orderedParts(cfg.targets.qkv);
  const tensors = new Map<string, HostTensor>();
  const modules = lora.modules();
  for (const module of modules) {
    const sites = lora.sitesOf(module);
    let pair: { a: HostTensor; b: HostTensor };
    if (sites[0].part) {
      const perPart = new Map<QkvPart, { a: HostTensor; b: HostTensor }>();
      for (const site of sites) perPart.set(site.part!, { a: await host(lora.a(site)), b: await host(lora.b(site)) });
      pair = fuseQkv(perPart, dim);
    } else {
      pair = { a: await host(lora.a(sites[0])), b: await host(lora.b(sites[0])) };
    }
    tensors.set(`${PEFT_PREFIX}${module}.lora_A.weight`, pair.a);
    tensors.set(`${PEFT_PREFIX}${module}.lora_B.weight`, pair.b);
  }
  for (const name of CLASSIFIER_PARAMS) tensors.set(`${PEFT_PREFIX}${name}`, await host(model.p(name)));

  const qkvModules = modules.filter((m) => m.endsWith('.attn.qkv'));
  const otherModules = modules.filter((m) => !m.endsWith('.attn.qkv'));
  const qkvRank = parts.length * cfg.r;
  const qkvAlpha = fusedAlpha(cfg.lora_alpha, parts.length, cfg.use_rslora);
  const onlyQkv = otherModules.length === 0;
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  if (!onlyQkv && parts.length > 1) {
    for (const m of qkvModules) {
      rankPattern[m] = qkvRank;
      alphaPattern[m] = qkvAlpha;
    }
  }
  const config: PeftLoraConfigJson = sortedKeys({
    alpha_pattern: alphaPattern,
    base_model_name_or_path: baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: onlyQkv ? qkvAlpha : cfg.lora_alpha,
    lora_dropout: cfg.lora_dropout,
    modules_to_save: [...MODULES_TO_SAVE],
    notice: NOT_FOR_MEDICAL_USE,
    peft_type: 'LORA',
    r: onlyQkv ? qkvRank : cfg.r,
    rank_pattern: rankPattern,
    revision: null,
    // Full module paths: PEFT matches a plain "proj" suffix against patch_embed.proj (a Conv2d) as well.
    target_modules: [...modules].sort(),
    task_type: null,
    use_dora: false,
    use_rslora: cfg.use_rslora,
  });
  // The lab's own view of the adapter, for an exact re-import; PEFT ignores safetensors metadata.
  const metadata = {
    format: 'pt',
    lab_lora_alpha: String(cfg.lora_alpha),
    lab_qkv_parts: parts.join(','),
    lab_r: String(cfg.r),
    notice: NOT_FOR_MEDICAL_USE,
  };
  return { config, configJson: JSON.stringify(config, null, 2), safetensors: await writeSafetensors(tensors, metadata) };
}

/** `<runName>-adapter.zip` holding adapter_config.json and adapter_model.safetensors. */
export function zipPeftAdapter(files: PeftAdapterFiles, runName: string): { fileName: string; bytes: Uint8Array<ArrayBuffer> } {
  const bytes = zipSync({
    'adapter_config.json': strToU8(files.configJson),
    'adapter_model.safetensors': [files.safetensors, { level: 0 }],
  });
  return { fileName: `${runName.replace(/[^\w.-]+/g, '_')}-adapter.zip`, bytes };
}

export function unzipPeftAdapter(zip: Uint8Array): { configJson: string; safetensors: Uint8Array } {
  const files = unzipSync(zip);
  const find = (base: string) => Object.keys(files).find((k) => k === base || k.endsWith(`/${base}`));
  const cfgName = find('adapter_config.json');
  const weightsName = find('adapter_model.safetensors');
  if (!cfgName || !weightsName) throw new Error('the zip must hold adapter_config.json and adapter_model.safetensors');
  return { configJson: strFromU8(files[cfgName]), safetensors: files[weightsName] };
}

export interface ImportedPeftAdapter {
  loraConfig: LoraConfig;
  /** lab-named LoRA tensors (blocks.i.attn.qkv.lora_A.q ...), for LoraAdapter.fromTensors */
  tensors: Map<string, HostTensor>;
  /** fc_norm / head tensors found in the adapter (lab names) */
  classifier: Map<string, HostTensor>;
}

function moduleRank(config: PeftLoraConfigJson, module: string): { r: number; alpha: number } {
  const match = (pattern: Record<string, number>) =>
    Object.entries(pattern ?? {}).find(([k]) => new RegExp(`(.*\\.)?(${k})$`).test(module))?.[1];
  return { r: match(config.rank_pattern) ?? config.r, alpha: match(config.alpha_pattern) ?? config.lora_alpha };
}

/**
 * PEFT files -> the lab's LoRA config and tensors. `qkvParts` says which qkv parts the lab model adapts when
 * the file does not say it (adapters from PEFT itself); the lab's own exports carry it in their metadata.
 */
export async function importPeftAdapter(
  configJson: string,
  safetensors: Blob | Uint8Array,
  vitCfg: VitConfig,
  qkvParts: QkvPart[] = STUDY_LORA.targets.qkv,
): Promise<ImportedPeftAdapter> {
  const config = JSON.parse(configJson) as PeftLoraConfigJson;
  if (config.peft_type !== 'LORA') throw new Error(`adapter peft_type is ${config.peft_type}, only LORA is supported`);
  if (config.use_dora) throw new Error('DoRA adapters are not supported');
  if (config.fan_in_fan_out) throw new Error('fan_in_fan_out adapters (Conv1D layers) do not fit a ViT');
  const blob = safetensors instanceof Blob ? safetensors : new Blob([safetensors as Uint8Array<ArrayBuffer>]);
  const { tensors: raw, metadata } = await readSafetensors(blob);
  const parts = orderedParts(metadata.lab_qkv_parts ? (metadata.lab_qkv_parts.split(',') as QkvPart[]) : qkvParts);
  const targets: LoraTargets = { qkv: [], proj: false, fc1: false, fc2: false };
  const tensors = new Map<string, HostTensor>();
  const classifier = new Map<string, HostTensor>();
  const ranks = new Map<string, { r: number; alpha: number }>(); // module -> lab r and alpha
  for (const [key, t] of raw) {
    if (!key.startsWith(PEFT_PREFIX)) throw new Error(`adapter key ${key} does not start with ${PEFT_PREFIX}`);
    const name = key.slice(PEFT_PREFIX.length);
    if (CLASSIFIER_PARAMS.includes(name)) classifier.set(name, t);
    else if (!/\.lora_[AB]\.weight$/.test(name)) throw new Error(`adapter tensor ${key} is neither a LoRA weight nor fc_norm/head`);
  }
  for (const [key, a] of raw) {
    const m = /^(.*)\.lora_A\.weight$/.exec(key.slice(PEFT_PREFIX.length));
    if (!m) continue;
    const module = m[1];
    const b = raw.get(`${PEFT_PREFIX}${module}.lora_B.weight`);
    if (!b) throw new Error(`${module} has lora_A but no lora_B`);
    const peft = moduleRank(config, module);
    if (module.endsWith('.attn.qkv')) {
      if (parts.length === 0) throw new Error(`${module} is adapted but the model adapts no part of qkv`);
      const split = splitQkv(a, b, parts, vitCfg.embedDim, module);
      const f = split.rankFactor;
      ranks.set(module, { r: split.r, alpha: peft.alpha / (config.use_rslora ? Math.sqrt(f) : f) });
      for (const [part, pair] of split.pairs) {
        tensors.set(`${module}.lora_A.${part}`, pair.a);
        tensors.set(`${module}.lora_B.${part}`, pair.b);
      }
      targets.qkv = parts;
    } else {
      const kind = /\.(attn\.proj|mlp\.fc1|mlp\.fc2)$/.exec(module)?.[1];
      if (!kind) throw new Error(`LoRA on ${module} has no counterpart in the lab (qkv, attn.proj, mlp.fc1, mlp.fc2)`);
      targets[kind === 'attn.proj' ? 'proj' : kind === 'mlp.fc1' ? 'fc1' : 'fc2'] = true;
      ranks.set(module, { r: a.shape[0], alpha: peft.alpha });
      tensors.set(`${module}.lora_A`, a);
      tensors.set(`${module}.lora_B`, b);
    }
  }
  const distinct = new Set([...ranks.values()].map((x) => `${x.r}/${x.alpha}`));
  if (ranks.size === 0) throw new Error('the adapter holds no LoRA weights');
  if (distinct.size > 1) throw new Error(`the lab uses one rank and alpha for all modules; this adapter has ${[...distinct].join(', ')}`);
  let { r, alpha } = [...ranks.values()][0];
  // Prefer the exact alpha the lab wrote when it agrees with the one recomputed from PEFT's numbers.
  const labAlpha = Number(metadata.lab_lora_alpha);
  if (Number.isFinite(labAlpha) && Math.abs(labAlpha - alpha) <= 1e-6 * Math.max(1, labAlpha)) alpha = labAlpha;
  const loraConfig: LoraConfig = { r, lora_alpha: alpha, lora_dropout: config.lora_dropout ?? 0, use_rslora: !!config.use_rslora, targets };
  validateLoraConfig(loraConfig);
  // Every site the config implies must be present (an adapter on some blocks only cannot be expressed).
  for (const site of loraSites(vitCfg, loraConfig)) {
    const name = loraTensorName(site, 'lora_A');
    if (!tensors.has(name)) throw new Error(`the adapter lacks ${name}: the lab adapts every block alike`);
  }
  return { loraConfig, tensors, classifier };
}

/** Puts an imported adapter on a model: replaces model.lora and, when shapes fit, fc_norm and head. */
export function applyImportedAdapter(model: VitModel, imported: ImportedPeftAdapter): void {
  if (model.merged) model.unmergeLora();
  const tfTensors = new Map<string, tf.Tensor>([...imported.tensors].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  const adapter = LoraAdapter.fromTensors(model.cfg, imported.loraConfig, tfTensors);
  // fromTensors wraps each in a tf.Variable that shares its data; the wrappers given to it are ours to release.
  for (const t of tfTensors.values()) t.dispose();
  for (const [name, t] of imported.classifier) {
    const v = model.p(name);
    if (v.shape.join() !== t.shape.join()) throw new Error(`adapter ${name} has shape [${t.shape}], the model has [${v.shape}]`);
  }
  for (const [name, t] of imported.classifier) {
    const value = tf.tensor(t.data, t.shape);
    model.p(name).assign(value);
    value.dispose();
  }
  model.lora?.dispose();
  model.lora = adapter;
}
