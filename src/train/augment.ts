/**
 * Input pipeline on the accelerator: 8-bit grayscale storage images -> crop/resize -> normalise.
 * Training: torchvision's RandomResizedCrop (scale 0.08–1, ratio 3/4–4/3, 10 tries then centre crop) and a
 * horizontal flip with p = 0.5, expressed as crop boxes so one cropAndResize kernel does both (a box with
 * x1 > x2 samples mirrored). Evaluation: resize + centre crop of 224/256 of the side (torchvision's eval recipe).
 */
import * as tf from '@tensorflow/tfjs';

export interface AugmentOptions {
  scale: [number, number];
  ratio: [number, number];
  flip: boolean;
}

export const TORCHVISION_RRC: AugmentOptions = { scale: [0.08, 1], ratio: [3 / 4, 4 / 3], flip: true };
/** Fraction of the side kept by the evaluation centre crop (torchvision: Resize(256) -> CenterCrop(224)). */
export const EVAL_CROP = 224 / 256;

/** Boxes [y1, x1, y2, x2] in [0, 1] for a batch, following torchvision's RandomResizedCrop.get_params. */
export function randomResizedCropBoxes(n: number, opts: AugmentOptions, rand: () => number): Float32Array {
  const boxes = new Float32Array(n * 4);
  const logRatio = [Math.log(opts.ratio[0]), Math.log(opts.ratio[1])];
  for (let i = 0; i < n; i++) {
    let box: number[] | null = null;
    for (let attempt = 0; attempt < 10 && !box; attempt++) {
      const area = opts.scale[0] + (opts.scale[1] - opts.scale[0]) * rand();
      const aspect = Math.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * rand());
      const w = Math.sqrt(area * aspect);
      const h = Math.sqrt(area / aspect);
      if (w <= 1 && h <= 1) {
        const y = (1 - h) * rand();
        const x = (1 - w) * rand();
        box = [y, x, y + h, x + w];
      }
    }
    box ??= [0, 0, 1, 1];
    if (opts.flip && rand() < 0.5) box = [box[0], box[3], box[2], box[1]];
    boxes.set(box, i * 4);
  }
  return boxes;
}

export function centreCropBoxes(n: number, fraction: number): Float32Array {
  const m = (1 - fraction) / 2;
  const boxes = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) boxes.set([m, m, 1 - m, 1 - m], i * 4);
  return boxes;
}

/**
 * pixels: batch * size * size bytes -> normalised [B, 1, imgSize, imgSize] float32 (NCHW with C = 1; the model
 * treats one channel as grayscale replicated to three).
 */
export function preprocess(
  pixels: Uint8Array,
  batch: number,
  size: number,
  imgSize: number,
  norm: { mean: number; std: number },
  boxes: Float32Array | null,
): tf.Tensor4D {
  return tf.tidy(() => {
    const raw = tf.div(tf.cast(tf.tensor4d(Int32Array.from(pixels), [batch, size, size, 1], 'int32'), 'float32'), 255) as tf.Tensor4D;
    const sized = boxes
      ? tf.image.cropAndResize(raw, tf.tensor2d(boxes, [batch, 4]), tf.range(0, batch, 1, 'int32') as tf.Tensor1D, [imgSize, imgSize], 'bilinear')
      : size === imgSize
        ? raw
        : tf.image.resizeBilinear(raw, [imgSize, imgSize], false, true);
    const normed = tf.div(tf.sub(sized, norm.mean), norm.std);
    // NHWC with C = 1 has the same memory order as NCHW with C = 1.
    return tf.reshape(normed, [batch, 1, imgSize, imgSize]) as tf.Tensor4D;
  });
}
