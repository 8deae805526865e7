/**
 * Browser image decoding to the storage format: 8-bit grayscale, size x size. Runs in a Web Worker
 * (decode.worker.ts); needs createImageBitmap + OffscreenCanvas, both available in workers.
 *
 * createImageBitmap decodes the whole image before it resizes (an 8,000 x 8,000 JPEG took 330 MB more in Chromium
 * 156). Large JPEGs therefore go through WebCodecs' ImageDecoder with a desired size: Chromium then decodes at
 * 1/2, 1/4 or 1/8 scale in the DCT domain (libjpeg-turbo scaling), and the same file took 13 MB more and 8x less
 * time (e2e/large-images.spec.ts measures it). The frame keeps the EXIF orientation, which drawImage applies as
 * createImageBitmap does.
 *
 * The image is stretched to a square rather than cropped or letterboxed: chest radiographs are close to square
 * (NIH 1024x1024, CheXpert and Kermany roughly 4:3 to 1:1) and stretching keeps the whole field of view — both
 * lung apices and costophrenic angles — which a centre crop could cut. The aspect change is small, and the
 * Kermany 224x224 images shipped with the demo were stretched the same way by their publisher.
 */
import { FormatError } from '../formatError';
import { sniffJpeg } from './imageHeader';
import { WHOLE_DECODE_MAX_PIXELS } from './preflight';

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

type RgbaCallback = (rgba: Uint8ClampedArray) => void;

/** What the caller knows of the file from its header (imageHeader.ts ImageKind): large JPEGs are decoded downscaled. */
export interface DecodeHint {
  kind: string;
  /** 0 when not read */
  width: number;
  height: number;
}

/** Above this many pixels a JPEG is decoded downscaled (64 MB of RGBA when decoded whole). */
export const SCALED_JPEG_MIN_PIXELS = 16_000_000;

/** The part of WebCodecs' ImageDecoder used here (lib.dom of TypeScript 5.9 does not declare it yet). */
type Frame = CanvasImageSource & { close(): void };
interface ScalingDecoderInstance {
  decode(options?: { frameIndex?: number }): Promise<{ image: Frame }>;
  close(): void;
}
type ScalingDecoder = new (init: { data: ReadableStream<Uint8Array>; type: string; desiredWidth?: number; desiredHeight?: number }) => ScalingDecoderInstance;

function scalingDecoder(): ScalingDecoder | undefined {
  return (globalThis as { ImageDecoder?: ScalingDecoder }).ImageDecoder;
}

/**
 * Draws, reads the RGBA and converts it to gray. `scaled`: the drawing resizes, so ask for the area-averaging filter
 * (a 1:1 draw keeps the context's default). `onRgba` sees the RGBA before the conversion.
 */
function grayOfCanvas(draw: (context: OffscreenCanvasRenderingContext2D) => void, size: number, scaled: boolean, onRgba?: RgbaCallback): Uint8Array {
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('OffscreenCanvas 2d context is not available');
  if (scaled) context.imageSmoothingQuality = 'high';
  draw(context);
  const rgba = context.getImageData(0, 0, size, size).data;
  onRgba?.(rgba);
  return rgbaToGray(rgba);
}

/**
 * A large JPEG decoded at the smallest DCT scale that still gives at least 4 x `size` pixels on its long side,
 * then drawn (area-smoothed) at size x size. Memory: the scaled frame, at most 1/4 of the full image's.
 */
async function decodeScaledJpeg(blob: Blob, size: number, hint: DecodeHint, onRgba?: RgbaCallback): Promise<Uint8Array> {
  const Decoder = scalingDecoder()!;
  const factor = Math.min(1, (4 * size) / Math.max(hint.width, hint.height));
  const refuse = () => new FormatError('jpeg', 'corrupt', 'not a decodable image (truncated or corrupt)');
  let decoder: ScalingDecoderInstance;
  try {
    decoder = new Decoder({ data: blob.stream(), type: 'image/jpeg', desiredWidth: Math.max(1, Math.ceil(hint.width * factor)), desiredHeight: Math.max(1, Math.ceil(hint.height * factor)) });
  } catch {
    throw refuse();
  }
  let image: Frame;
  try {
    ({ image } = await decoder.decode({ frameIndex: 0 }));
  } catch {
    decoder.close();
    throw refuse();
  }
  try {
    return grayOfCanvas((context) => context.drawImage(image, 0, 0, size, size), size, true, onRgba);
  } finally {
    image.close();
    decoder.close();
  }
}

/** The JPEG frame header's size, read from the file's first 64 KiB (null for other files or when not found there). */
export async function jpegHintOf(blob: Blob): Promise<DecodeHint | null> {
  const head = new Uint8Array(await blob.slice(0, Math.min(blob.size, 1 << 16)).arrayBuffer());
  const header = sniffJpeg(head);
  return header ? { kind: 'jpeg', width: header.width, height: header.height } : null;
}

/**
 * `onRgba`, when given, sees the size x size RGBA before the gray conversion (the only place colour still exists):
 * the out-of-distribution guard measures colour there (imageStats.ts colourFractionOf). `hint`: the header's kind and
 * size when the caller has read them (decodeImage.ts does); without it a JPEG's size is read here (64 KiB), so that a
 * large one is still decoded downscaled.
 */
export async function decodeToGray(blob: Blob, size: number, onRgba?: RgbaCallback, hint?: DecodeHint): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`storage size must be a positive integer, got ${size}`);
  if (blob.size === 0) throw new FormatError('image', 'empty', 'zero-byte file');
  hint ??= (await jpegHintOf(blob)) ?? undefined;
  if (hint?.kind === 'jpeg' && hint.width * hint.height > SCALED_JPEG_MIN_PIXELS) {
    if (scalingDecoder()) return decodeScaledJpeg(blob, size, hint, onRgba);
    if (hint.width * hint.height > WHOLE_DECODE_MAX_PIXELS) {
      throw new FormatError('jpeg', 'too-large', `image too large for this browser: ${hint.width} x ${hint.height} JPEG, and it has no ImageDecoder to decode it downscaled (limit ${WHOLE_DECODE_MAX_PIXELS.toLocaleString('en-US')} pixels)`);
    }
  }
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
    throw new FormatError('image', 'corrupt', 'not a decodable image (truncated or corrupt)');
  }
  try {
    return grayOfCanvas((context) => context.drawImage(bitmap, 0, 0), size, false, onRgba);
  } finally {
    bitmap.close();
  }
}
