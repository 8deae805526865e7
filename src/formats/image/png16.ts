/**
 * 16-bit grayscale PNGs (PadChest and other archives ship 12-16 bit radiographs as PNG): a canvas decodes them
 * to 8 bits and drops the low bits before any windowing, so they are decoded here with `fast-png`, which keeps
 * every bit. The full range is then mapped to 8 bits by a percentile window (0.5 % - 99.5 % by default: a few
 * burnt-in labels or collimator edges must not squash the lung contrast) and resized to the storage size.
 * `sniffPng` lets the decoder route only the files that need this; 8-bit PNGs go to createImageBitmap.
 */
import { convertIndexedToRgb, decode } from 'fast-png';
import { sniffPng, type PngHeader } from './imageHeader';
import { DEFAULT_MAX_PIXELS } from './preflight';
import { resizeGray, toBytes } from './resizeGray';

export { sniffPng, type PngHeader };

export interface PngGrayOptions {
  lowPercentile?: number;
  highPercentile?: number;
  maxPixels?: number;
}

/** True for PNGs whose samples have more than 8 bits: the browser's decoder would lose bits on them. */
export function needsFullRangeDecode(header: PngHeader | null): boolean {
  return header !== null && header.bitDepth === 16;
}

/** The value at a percentile of integer samples in [0, 65535], by a histogram (linear time, no sort). */
export function percentileOfSamples(values: Float32Array, percentiles: readonly number[]): number[] {
  const histogram = new Uint32Array(65536);
  for (let i = 0; i < values.length; i++) histogram[values[i]]++;
  return percentiles.map((p) => {
    const rank = Math.floor((Math.min(Math.max(p, 0), 100) / 100) * (values.length - 1));
    let seen = 0;
    for (let v = 0; v < histogram.length; v++) {
      seen += histogram[v];
      if (seen > rank) return v;
    }
    return 65535;
  });
}

function grayOfSamples(data: ArrayLike<number>, channels: number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    // Gray (+alpha): the gray sample. RGB(A): ITU-R BT.601 luma, rounded to stay an integer sample.
    out[i] = channels <= 2 ? data[at] : Math.round(0.299 * data[at] + 0.587 * data[at + 1] + 0.114 * data[at + 2]);
  }
  return out;
}

/**
 * Decodes a PNG of any bit depth to size x size 8-bit gray. 16-bit samples go through the percentile window;
 * 8-bit (and palette) samples are used as they are.
 */
export function decodePngToGray(bytes: Uint8Array, size: number, options: PngGrayOptions = {}): Uint8Array {
  const header = sniffPng(bytes);
  if (!header) throw new Error('not a PNG file');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (header.width * header.height > maxPixels) throw new Error(`image too large: ${header.width} x ${header.height} pixels`);
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`not a decodable PNG (truncated or corrupt): ${(error as Error).message}`);
  }
  const count = png.width * png.height;
  const rgbOrGray = png.palette ? convertIndexedToRgb(png) : png.data;
  const channels = png.palette ? rgbOrGray.length / count : png.channels;
  const gray = grayOfSamples(rgbOrGray, channels, count);
  let scaled = gray;
  if (png.depth === 16) {
    const [low, high] = percentileOfSamples(gray, [options.lowPercentile ?? 0.5, options.highPercentile ?? 99.5]);
    const range = high - low;
    scaled = new Float32Array(count);
    for (let i = 0; i < count; i++) scaled[i] = range > 0 ? (Math.min(Math.max(gray[i] - low, 0), range) / range) * 255 : 0;
  } else if (png.depth < 8 && !png.palette) {
    const max = (1 << png.depth) - 1;
    for (let i = 0; i < count; i++) scaled[i] = (gray[i] / max) * 255;
  }
  return toBytes(resizeGray(scaled, png.width, png.height, size, size));
}
