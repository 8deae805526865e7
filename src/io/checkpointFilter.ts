/**
 * The one place where a foreign checkpoint's names and shapes are mapped onto the lab's ViT (timm's habit of a
 * `checkpoint_filter_fn` beside the model): prefixes stripped, pretraining-only keys ignored with a reason,
 * the architecture inferred from shapes, pos_embed marked for resampling, everything else reported.
 * Works on names and shapes only, so the decision is made before a single tensor is read.
 */
import { type VitConfig, validateVitConfig } from '../run/vitConfig';
import type { CheckpointTensorInfo } from '../formats/checkpointReader';
import { NEW_FOR_FINETUNE, vitParamShapes } from '../run/paramShapes';

export interface BackboneHint {
  numClasses: number;
  /** input size the lab will train at; pos_embed is resampled when the checkpoint's grid differs */
  imgSize?: number;
  /** heads cannot be read from shapes: hint, then the file's metadata, then width / 64 (ViT-Ti/S/B all follow it) */
  numHeads?: number;
  layerNormEps?: number;
  /** keep the checkpoint's fc_norm and head when their shapes fit (re-importing a fine-tuned lab model) */
  keepClassifier?: boolean;
  /** seed for the parameters that are newly initialised */
  seed?: number;
}

export interface CheckpointSummary {
  /** lab parameter names taken from the checkpoint */
  loaded: string[];
  /** checkpoint keys left out, each with why */
  ignored: { name: string; reason: string }[];
  /** backbone parameters the checkpoint lacks (freshly initialised; a warning sign) */
  missing: string[];
  /** classifier parameters that fine-tuning adds (fc_norm, head) */
  newlyInitialised: string[];
  /** shape mismatches and other problems that stop the load */
  errors: string[];
  posEmbedResampled: { from: [number, number]; to: [number, number] } | null;
  numHeadsFrom: 'hint' | 'metadata' | 'width/64';
}

export interface CheckpointPlan {
  cfg: VitConfig;
  /** lab name -> checkpoint key */
  sources: Map<string, string>;
  /** checkpoint grid of pos_embed (rows, cols) */
  checkpointGrid: [number, number];
  summary: CheckpointSummary;
}

const STRIPPED_PREFIXES = ['module.', 'model.', 'encoder.'];
const TEXT_BRANCH = /^(bert|text|lang|language|tokenizer|lm_|cls\.predictions)/;

export function stripPrefixes(key: string): string {
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of STRIPPED_PREFIXES) {
      if (key.startsWith(p)) {
        key = key.slice(p.length);
        changed = true;
      }
    }
  }
  return key;
}

function ignoreReason(key: string): string {
  if (key.startsWith('decoder') || key === 'mask_token') return 'MAE decoder / mask token (pretraining only)';
  if (key.startsWith('norm.')) return "encoder's final norm; the fine-tuning model pools and uses fc_norm instead";
  if (key.startsWith('head.') || key.startsWith('fc_norm.')) return 'classifier of the checkpoint; a new one is initialised';
  if (TEXT_BRANCH.test(key)) return 'text branch (image-text pretraining)';
  return "not a parameter of the lab's ViT";
}

function metadataConfig(metadata: Record<string, string>): Partial<VitConfig> {
  try {
    return metadata.vitConfig ? (JSON.parse(metadata.vitConfig) as Partial<VitConfig>) : {};
  } catch {
    return {};
  }
}

/** The architecture a checkpoint holds, from its shapes (and the hint / metadata for what shapes cannot tell). */
function inferConfig(shapes: Map<string, number[]>, hint: BackboneHint, metadata: Record<string, string>, errors: string[]) {
  const patch = shapes.get('patch_embed.proj.weight');
  const pos = shapes.get('pos_embed');
  if (!patch || patch.length !== 4 || patch[2] !== patch[3]) {
    errors.push('no patch_embed.proj.weight [D, C, P, P]: this is not a ViT checkpoint');
    return null;
  }
  const [embedDim, inChans, patchSize] = patch;
  let depth = 0;
  for (const k of shapes.keys()) {
    const m = /^blocks\.(\d+)\./.exec(k);
    if (m) depth = Math.max(depth, Number(m[1]) + 1);
  }
  const fc1 = shapes.get('blocks.0.mlp.fc1.weight');
  const mlpRatio = fc1 ? fc1[0] / embedDim : 4;
  if (!Number.isInteger(mlpRatio)) errors.push(`MLP width ${fc1![0]} is not an integer multiple of ${embedDim}`);
  let grid = 0;
  if (!pos || pos.length !== 3) errors.push('no pos_embed [1, N + 1, D]');
  else {
    grid = Math.round(Math.sqrt(pos[1] - 1));
    if (grid * grid !== pos[1] - 1) errors.push(`pos_embed has ${pos[1]} tokens: expected one CLS token and a square patch grid`);
  }
  const meta = metadataConfig(metadata);
  const numHeadsFrom: CheckpointSummary['numHeadsFrom'] = hint.numHeads ? 'hint' : meta.numHeads ? 'metadata' : 'width/64';
  const numHeads = hint.numHeads ?? meta.numHeads ?? Math.max(1, Math.round(embedDim / 64));
  const cfg: VitConfig = {
    imgSize: hint.imgSize ?? grid * patchSize,
    patchSize,
    inChans,
    embedDim,
    depth,
    numHeads,
    mlpRatio,
    numClasses: hint.numClasses,
    layerNormEps: hint.layerNormEps ?? meta.layerNormEps ?? 1e-6,
  };
  try {
    validateVitConfig(cfg);
  } catch (e) {
    errors.push((e as Error).message);
  }
  return { cfg, grid, numHeadsFrom };
}

export function planCheckpoint(
  tensors: CheckpointTensorInfo[],
  hint: BackboneHint,
  metadata: Record<string, string> = {},
): CheckpointPlan {
  const errors: string[] = [];
  const ignored: CheckpointSummary['ignored'] = [];
  const byLabName = new Map<string, CheckpointTensorInfo>();
  for (const t of tensors) {
    const name = stripPrefixes(t.name);
    if (byLabName.has(name)) ignored.push({ name: t.name, reason: `duplicate of ${byLabName.get(name)!.name} after prefix stripping` });
    else byLabName.set(name, t);
  }
  const inferred = inferConfig(new Map([...byLabName].map(([k, t]) => [k, t.shape])), hint, metadata, errors);
  if (!inferred) {
    const summary = { loaded: [], ignored, missing: [], newlyInitialised: [], errors, posEmbedResampled: null, numHeadsFrom: 'width/64' as const };
    throw new CheckpointError(summary);
  }
  const { cfg, grid, numHeadsFrom } = inferred;
  const expected = vitParamShapes(cfg);
  const classifier = new Set<string>(NEW_FOR_FINETUNE);
  const sources = new Map<string, string>();
  const loaded: string[] = [];
  const newGrid = cfg.imgSize / cfg.patchSize;
  for (const [name, t] of byLabName) {
    const shape = expected.get(name);
    const takeClassifier = hint.keepClassifier && classifier.has(name);
    if (!shape || (classifier.has(name) && !takeClassifier)) {
      ignored.push({ name: t.name, reason: ignoreReason(name) });
      continue;
    }
    if (t.unreadable) {
      errors.push(`${t.name}: ${t.unreadable}`);
      continue;
    }
    const fits = name === 'pos_embed' ? t.shape[0] === 1 && t.shape[2] === cfg.embedDim : t.shape.join('x') === shape.join('x');
    if (!fits) {
      errors.push(`${t.name} has shape [${t.shape}], the model needs [${shape}]`);
      continue;
    }
    sources.set(name, t.name);
    loaded.push(name);
  }
  const missing = [...expected.keys()].filter((n) => !sources.has(n) && !classifier.has(n));
  const newlyInitialised = [...expected.keys()].filter((n) => !sources.has(n) && classifier.has(n));
  const summary: CheckpointSummary = {
    loaded,
    ignored,
    missing,
    newlyInitialised,
    errors,
    posEmbedResampled: sources.has('pos_embed') && grid !== newGrid ? { from: [grid, grid], to: [newGrid, newGrid] } : null,
    numHeadsFrom,
  };
  return { cfg, sources, checkpointGrid: [grid, grid], summary };
}

export class CheckpointError extends Error {
  constructor(readonly summary: CheckpointSummary) {
    super(`the checkpoint does not fit the model:\n- ${summary.errors.join('\n- ')}`);
    this.name = 'CheckpointError';
  }
}
