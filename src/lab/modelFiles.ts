/**
 * The worker's side of issue 5: checkpoints in (streamed into the IndexedDB model cache), adapters and merged
 * models out, and PEFT adapters back in. Thin glue over src/io; summaries are shaped for the page.
 */
import type { VitConfig } from '../run/vitConfig';
import type { VitModel } from '../model/vit';
import { loadBackbone, planCheckpoint, type CheckpointSummary } from '../io/checkpoint';
import { listCachedBackbones } from '../storage/backbones';
import { type CachedBackboneInfo } from '../storage/schema';
import { exportMergedModel } from '../io/mergedExport';
import { exportPeftAdapter, importPeftAdapter, unzipPeftAdapter, zipPeftAdapter, type ImportedPeftAdapter } from '../io/peft';
import { readSafetensors } from '../formats/safetensors';
import type { CheckpointInfo, CheckpointProgress, ExportedFile, ImportedAdapterInfo } from '../run/modelFiles';

function archOf(cfg: VitConfig): CheckpointInfo['arch'] {
  return { imgSize: cfg.imgSize, patchSize: cfg.patchSize, embedDim: cfg.embedDim, depth: cfg.depth, numHeads: cfg.numHeads };
}

function infoFrom(id: string, fileName: string, sourceFormat: string, cfg: VitConfig, s: CheckpointSummary): CheckpointInfo {
  const notes: string[] = [];
  if (s.posEmbedResampled) notes.push(`pos_embed resampled from ${s.posEmbedResampled.from.join('x')} to ${s.posEmbedResampled.to.join('x')}`);
  notes.push(`heads from ${s.numHeadsFrom}`);
  return {
    id,
    fileName,
    sourceFormat,
    arch: archOf(cfg),
    loaded: s.loaded,
    ignored: s.ignored.map((i) => `${i.name} (${i.reason})`),
    missing: s.missing,
    newlyInitialised: s.newlyInitialised,
    notes,
  };
}

export async function loadCheckpointIntoCache(file: Blob & { name?: string }, onProgress: (p: CheckpointProgress) => void): Promise<CheckpointInfo> {
  const loaded = await loadBackbone(file, { numClasses: 1 }, onProgress, { cache: true });
  // Only the cached copy is kept: the run that uses it reloads it with its own number of labels.
  for (const t of loaded.params.values()) t.dispose();
  if (!loaded.cacheId) throw new Error('IndexedDB is not available in this browser: the checkpoint cannot be kept');
  return infoFrom(loaded.cacheId, file.name ?? 'checkpoint', loaded.summary.sourceFormat, loaded.cfg, loaded.summary);
}

export async function listCheckpointInfos(): Promise<CheckpointInfo[]> {
  const cached: CachedBackboneInfo[] = await listCachedBackbones();
  return cached.map((c) => {
    const plan = planCheckpoint(
      c.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'F32' })) as Parameters<typeof planCheckpoint>[0],
      { numClasses: 1 },
      c.metadata,
    );
    return infoFrom(c.id, c.fileName, c.sourceFormat, plan.cfg, { ...plan.summary, ignored: c.ignored });
  });
}

export async function exportAdapterFile(model: VitModel, runName: string, baseModel: string): Promise<ExportedFile> {
  const files = await exportPeftAdapter(model, baseModel);
  const zipped = zipPeftAdapter(files, runName);
  return { ...zipped, mime: 'application/zip' };
}

export async function exportMergedFile(model: VitModel, runName: string, extra: Record<string, string>): Promise<ExportedFile> {
  const out = await exportMergedModel(model, { runName, extra });
  return { ...out, mime: 'application/octet-stream' };
}

/** A PEFT adapter as files: one .zip, or adapter_config.json + adapter_model.safetensors. */
export function adapterFiles(files: { name: string; bytes: Uint8Array }[]): { configJson: string; safetensors: Uint8Array } {
  const zip = files.find((f) => f.name.toLowerCase().endsWith('.zip'));
  if (zip) return unzipPeftAdapter(zip.bytes);
  const cfg = files.find((f) => f.name.endsWith('adapter_config.json'));
  const weights = files.find((f) => f.name.endsWith('.safetensors'));
  if (!cfg || !weights) throw new Error('choose a PEFT adapter .zip, or adapter_config.json together with adapter_model.safetensors');
  return { configJson: new TextDecoder().decode(cfg.bytes), safetensors: weights.bytes };
}

/** The ViT shape an adapter was made for, read from its tensor shapes (enough to validate and describe it). */
export async function adapterShapeConfig(safetensors: Uint8Array): Promise<VitConfig> {
  const { tensors } = await readSafetensors(new Blob([safetensors as Uint8Array<ArrayBuffer>]));
  let depth = 0;
  let dim = 0;
  let hidden = 0;
  let classes = 1;
  for (const [key, t] of tensors) {
    const m = /blocks\.(\d+)\.(attn\.qkv|attn\.proj|mlp\.fc1|mlp\.fc2)\.lora_([AB])\.weight$/.exec(key);
    if (m) {
      depth = Math.max(depth, Number(m[1]) + 1);
      const [, , module, which] = m;
      if (module === 'attn.qkv' && which === 'B') dim = t.shape[0] / 3;
      if (module === 'attn.proj' && which === 'A') dim = t.shape[1];
      if (module === 'mlp.fc1' && which === 'B') hidden = t.shape[0];
      if (module === 'mlp.fc2' && which === 'A') hidden = t.shape[1];
    }
    if (key.endsWith('head.weight')) classes = t.shape[0];
  }
  if (!depth || !dim) throw new Error('the adapter holds no LoRA weights on attn.qkv or attn.proj of ViT blocks');
  return { imgSize: 224, patchSize: 16, inChans: 3, embedDim: dim, depth, numHeads: 1, mlpRatio: hidden ? hidden / dim : 4, numClasses: classes, layerNormEps: 1e-6 };
}

export function describeImported(imported: ImportedPeftAdapter, cfg: VitConfig): ImportedAdapterInfo {
  const c = imported.loraConfig;
  const targets = [...c.targets.qkv.map((p) => `qkv.${p}`), ...(['proj', 'fc1', 'fc2'] as const).filter((t) => c.targets[t])];
  return {
    r: c.r,
    lora_alpha: c.lora_alpha,
    use_rslora: c.use_rslora,
    targets,
    withHead: imported.classifier.size > 0,
    note: `LoRA r=${c.r}, alpha=${c.lora_alpha} on ${targets.join(', ')} of a ${cfg.depth}-block, width-${cfg.embedDim} ViT; the next LoRA run starts from it`,
  };
}

export { importPeftAdapter };
