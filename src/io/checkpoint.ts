/**
 * Loading a pretrained ViT backbone into the lab: open the file (safetensors or torch .pth, told apart by
 * their first bytes), plan the mapping from names and shapes (checkpointFilter.ts), then read, resample and
 * upload one tensor at a time with progress, writing each to the IndexedDB cache on the way.
 */
import * as tf from '@tensorflow/tfjs';
import type { VitConfig } from '../run/vitConfig';
import { initParam } from '../model/init';
import { BackboneCacheWriter, backboneIdOf, listCachedBackbones, openCachedBackbone } from '../storage/backbones';
import { indexedDbAvailable } from '../storage/schema';
import { type CheckpointReader, numel, readRange } from '../formats/checkpointReader';
import { type BackboneHint, CheckpointError, type CheckpointSummary, planCheckpoint } from './checkpointFilter';
import { resamplePosEmbed } from './posEmbed';
import { openPth } from '../formats/pth';
import { openSafetensors } from '../formats/safetensors';
import { vitParamShapes } from '../run/paramShapes';

export { type BackboneHint, type CheckpointSummary, CheckpointError, planCheckpoint } from './checkpointFilter';

export interface LoadProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current: string;
}

export interface LoadedBackbone {
  cfg: VitConfig;
  /** every parameter the VitModel needs (timm names); hand it to `new VitModel(cfg, params)` */
  params: Map<string, tf.Tensor>;
  summary: CheckpointSummary & { fromCache: boolean; sourceFormat: string };
  /** id of the IndexedDB copy, or null when it was not cached */
  cacheId: string | null;
}

export async function openCheckpoint(file: Blob): Promise<CheckpointReader> {
  const magic = await readRange(file, 0, Math.min(4, file.size));
  const zipMagic = magic.length === 4 && magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04;
  if (zipMagic) return openPth(file); // "PK\3\4": a zip, i.e. torch.save >= 1.6 (a safetensors header this long is absurd)
  if (magic[0] === 0x80) throw new Error('this is a legacy (torch < 1.6) pickle checkpoint: re-save it with a recent torch or convert it to safetensors');
  return openSafetensors(file);
}

async function readPlanned(
  reader: CheckpointReader,
  hint: BackboneHint,
  onProgress: ((p: LoadProgress) => void) | undefined,
  cache: BackboneCacheWriter | null,
): Promise<{ cfg: VitConfig; params: Map<string, tf.Tensor>; summary: CheckpointSummary }> {
  const plan = planCheckpoint(reader.tensors, hint, reader.metadata);
  if (plan.summary.errors.length > 0) throw new CheckpointError(plan.summary);
  const { cfg, sources, summary } = plan;
  const shapes = vitParamShapes(cfg);
  const infoByKey = new Map(reader.tensors.map((t) => [t.name, t]));
  const bytesTotal = [...sources.values()].reduce((s, k) => s + numel(infoByKey.get(k)!.shape) * 4, 0);
  const params = new Map<string, tf.Tensor>();
  let bytesDone = 0;
  let tensorsDone = 0;
  const seed = hint.seed ?? 0;
  try {
    for (const [name, shape] of shapes) {
      const key = sources.get(name);
      if (key === undefined) {
        params.set(name, initParam(name, shape, seed * 1009 + tensorsDone));
      } else {
        let data = await reader.read(key);
        const diskShape = infoByKey.get(key)!.shape;
        if (cache) await cache.put(name, diskShape, data);
        if (name === 'pos_embed' && summary.posEmbedResampled) {
          data = resamplePosEmbed(data, summary.posEmbedResampled.from, summary.posEmbedResampled.to, cfg.embedDim);
        }
        params.set(name, tf.tensor(data, shape, 'float32'));
        bytesDone += data.byteLength;
      }
      tensorsDone++;
      onProgress?.({ tensorsDone, tensorsTotal: shapes.size, bytesDone, bytesTotal, current: name });
    }
  } catch (e) {
    for (const t of params.values()) t.dispose();
    throw e;
  }
  return { cfg, params, summary };
}

/**
 * Loads a ViT checkpoint (safetensors or torch .pth) as the lab's backbone, streaming tensor by tensor.
 * Throws CheckpointError (with the full summary) when shapes do not fit; otherwise the summary lists what was
 * loaded, ignored, missing and newly initialised. With `cache` (default when IndexedDB exists) the filtered
 * backbone is kept in IndexedDB for loadCachedBackbone.
 */
export async function loadBackbone(
  file: Blob & { name?: string; lastModified?: number },
  cfgHint: BackboneHint,
  onProgress?: (p: LoadProgress) => void,
  options: { cache?: boolean } = {},
): Promise<LoadedBackbone> {
  const reader = await openCheckpoint(file);
  const useCache = (options.cache ?? true) && indexedDbAvailable();
  let cache: BackboneCacheWriter | null = null;
  if (useCache) {
    const plan = planCheckpoint(reader.tensors, cfgHint, reader.metadata);
    // Heads are not in the shapes: keep what was decided so the cached copy reloads as the same model.
    const { numClasses: _numClasses, imgSize: _imgSize, ...arch } = plan.cfg;
    cache = await BackboneCacheWriter.begin({
      id: backboneIdOf(file),
      fileName: file.name ?? 'checkpoint',
      fileSize: file.size,
      sourceFormat: reader.format,
      metadata: { ...reader.metadata, vitConfig: JSON.stringify(arch) },
      ignored: plan.summary.ignored,
    });
  }
  try {
    const { cfg, params, summary } = await readPlanned(reader, cfgHint, onProgress, cache);
    await cache?.finish();
    return { cfg, params, summary: { ...summary, fromCache: false, sourceFormat: reader.format }, cacheId: cache ? backboneIdOf(file) : null };
  } catch (e) {
    await cache?.abort();
    throw e;
  }
}

/** Loads a backbone from the IndexedDB cache (the newest one when no id is given); null when there is none. */
export async function loadCachedBackbone(
  cfgHint: BackboneHint,
  onProgress?: (p: LoadProgress) => void,
  id?: string,
): Promise<LoadedBackbone | null> {
  if (!indexedDbAvailable()) return null;
  const cacheId = id ?? (await listCachedBackbones())[0]?.id;
  if (!cacheId) return null;
  const opened = await openCachedBackbone(cacheId);
  if (!opened) return null;
  try {
    const { cfg, params, summary } = await readPlanned(opened.reader, cfgHint, onProgress, null);
    return {
      cfg,
      params,
      summary: { ...summary, ignored: opened.info.ignored, fromCache: true, sourceFormat: opened.info.sourceFormat },
      cacheId,
    };
  } finally {
    opened.reader.close?.();
  }
}
