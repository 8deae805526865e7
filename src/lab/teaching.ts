/**
 * The worker's side of the teaching explanations: the first training image of a stored dataset as the model's input
 * (same resize and evaluation crop as training, src/train/augment.ts, without normalisation), and the singular values
 * of the running adapter's B A for one adapted matrix (src/model/lowRank.ts). Both are read on request, not per step.
 */
import * as tf from '@tensorflow/tfjs';
import { siteId, type AdapterSpectrum, type SampleImage } from '../run/teaching';
import { getImages, getKeys, getManifest } from '../storage/datasets';
import { mat, productSingularValues } from '../model/lowRank';
import type { VitModel } from '../model/vit';
import { centreCropBoxes, EVAL_CROP, preprocess } from '../train/augment';

/** null when the dataset is gone or has no training image. */
export async function sampleImage(datasetId: string, imgSize: number, augment: boolean): Promise<SampleImage | null> {
  if (!(Number.isInteger(imgSize) && imgSize > 0 && imgSize <= 1024)) throw new Error(`image size must be a whole number of pixels from 1 to 1024, got ${imgSize}`);
  const manifest = await getManifest(datasetId);
  if (!manifest) return null;
  const [key] = await getKeys(datasetId, 'train');
  if (key === undefined) return null;
  const [image] = await getImages(datasetId, [key]);
  // What evaluation feeds the model (training adds a random crop and flip on top when the run augments).
  const boxes = augment ? centreCropBoxes(1, EVAL_CROP) : null;
  const input = preprocess(image.pixels, 1, manifest.storageSize, imgSize, { mean: 0, std: 1 }, boxes); // [1, 1, S, S] in [0, 1]
  const values = await input.data();
  input.dispose();
  const pixels = new Uint8Array(imgSize * imgSize);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  const positives = manifest.labels.filter((_, i) => image.labels[i] === 1);
  return { datasetId, key, positives, size: imgSize, pixels };
}

/** null when the model has no adapter; the first adapted matrix when `site` is not given or not one of them. */
export async function adapterSpectrum(model: VitModel, step: number, site?: string): Promise<AdapterSpectrum | null> {
  const lora = model.lora;
  if (!lora) return null;
  const sites = lora.sites.map(siteId);
  const chosen = lora.sites.find((s) => siteId(s) === site) ?? lora.sites[0];
  // Clones share the variables' data and hold it: a step or a rank change meanwhile cannot free it under the read.
  const [b, a] = [lora.b(chosen).clone(), lora.a(chosen).clone()];
  const { r, scaling } = lora;
  try {
    const [bData, aData] = await Promise.all([b.data(), a.data()]);
    const s = productSingularValues(mat(chosen.outFeatures, r, bData), mat(r, chosen.inFeatures, aData));
    return { sites, site: siteId(chosen), r, out: chosen.outFeatures, in: chosen.inFeatures, scaling, singularValues: Array.from(s), step };
  } finally {
    tf.dispose([b, a]);
  }
}
