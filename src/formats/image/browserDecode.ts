/**
 * Browser image decoding to the storage format: 8-bit grayscale, size x size. Runs in a Web Worker
 * (decode.worker.ts); needs createImageBitmap + OffscreenCanvas, both available in workers.
 *
 * The image is stretched to a square rather than cropped or letterboxed: chest radiographs are close to square
 * (NIH 1024x1024, CheXpert and Kermany roughly 4:3 to 1:1) and stretching keeps the whole field of view — both
 * lung apices and costophrenic angles — which a centre crop could cut. The aspect change is small, and the
 * Kermany 224x224 images shipped with the demo were stretched the same way by their publisher.
 */

/**
 * ITU-R BT.601 luma weights (Y' = 0.299 R' + 0.587 G' + 0.114 B'), the weights of PIL's convert('L') that the
 * study's torchvision Grayscale transform uses. Alpha is ignored: radiographs saved as RGBA carry an opaque
 * alpha channel. Gray inputs (R = G = B) come out unchanged.
 */
export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array, out = new Uint8Array(rgba.length / 4)): Uint8Array {
  for (let i = 0, p = 0; i < out.length; i++, p += 4) {
    out[i] = Math.round(0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]);
  }
  return out;
}

/**
 * `onRgba`, when given, sees the size x size RGBA before the gray conversion (the only place colour still exists):
 * the out-of-distribution guard measures colour there (imageStats.ts colourFractionOf).
 */
export async function decodeToGray(blob: Blob, size: number, onRgba?: (rgba: Uint8ClampedArray) => void): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`storage size must be a positive integer, got ${size}`);
  if (blob.size === 0) throw new Error('zero-byte file');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      resizeWidth: size,
      resizeHeight: size,
      resizeQuality: 'high',
      // Pixel values as stored: no colour-profile conversion, no alpha premultiplication.
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new Error('not a decodable image (truncated or corrupt)');
  }
  try {
    const canvas = new OffscreenCanvas(size, size);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('OffscreenCanvas 2d context is not available');
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, size, size).data;
    onRgba?.(rgba);
    return rgbaToGray(rgba);
  } finally {
    bitmap.close();
  }
}
