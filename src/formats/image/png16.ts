/**
 * PNGs the browser's decoder should not get: 16-bit files (PadChest and other archives ship 12-16 bit radiographs
 * as PNG; a canvas drops the low bits before any windowing) and very large ones (createImageBitmap decodes the
 * whole image to RGBA, 4 bytes per pixel, before it resizes). Both are decoded row by row (pngRows.ts) straight into
 * the area resize (RowResizer), so memory stays a few rows plus the output, whatever the image size.
 *
 * 16-bit samples are mapped to 8 bits by a percentile window (0.5 % - 99.5 % by default: a few burnt-in labels or
 * collimator edges must not squash the lung contrast): a first pass counts every sample in a 65,536-bin histogram,
 * a second maps each row through the window and resizes it. 8-bit and palette samples are used as they are.
 * Interlaced (Adam7) files are decoded whole with fast-png, which is only done up to IN_MEMORY_MAX_PIXELS.
 */
import { convertIndexedToRgb, decode } from 'fast-png';
import { FormatError } from '../formatError';
import { sniffPng, type PngHeader } from './imageHeader';
import { PngRowDecoder, pushBlob, pushBytes } from './pngRows';
import { DEFAULT_MAX_PIXELS, MAX_IMAGE_SIDE } from './preflight';
import { RowResizer, resizeGray, toBytes } from './resizeGray';

export { sniffPng, type PngHeader };

export interface PngGrayOptions {
  lowPercentile?: number;
  highPercentile?: number;
  maxPixels?: number;
}

/** Interlaced PNGs are decoded whole: 16 MP is 128 MB of 16-bit RGBA samples, the most a worker is given. */
export const IN_MEMORY_MAX_PIXELS = 16_000_000;

/**
 * Above this, 8-bit PNGs also take the row decoder: createImageBitmap would hold 4 bytes per pixel (64 MB at
 * 16 MP). Below it the browser's native decoder is faster, and radiographs (NIH 1 MP, CheXpert 6.6 MP) stay there.
 */
export const BROWSER_PNG_MAX_PIXELS = 16_000_000;

/** True for PNGs whose samples have more than 8 bits: the browser's decoder would lose bits on them. */
export function needsFullRangeDecode(header: PngHeader | null): boolean {
  return header !== null && header.bitDepth === 16;
}

/** True for PNGs this module decodes (16-bit, or too large for a whole-image decode in the browser). */
export function needsRowDecode(header: PngHeader | null): boolean {
  return header !== null && (header.bitDepth === 16 || header.width * header.height > BROWSER_PNG_MAX_PIXELS);
}

/** The value at each percentile of integer samples counted in `histogram` (`count` samples in all). */
export function percentilesOfHistogram(histogram: Uint32Array, count: number, percentiles: readonly number[]): number[] {
  return percentiles.map((p) => {
    const rank = Math.floor((Math.min(Math.max(p, 0), 100) / 100) * (count - 1));
    let seen = 0;
    for (let v = 0; v < histogram.length; v++) {
      seen += histogram[v];
      if (seen > rank) return v;
    }
    return histogram.length - 1;
  });
}

/** The value at a percentile of integer samples in [0, 65535], by a histogram (linear time, no sort). */
export function percentileOfSamples(values: Float32Array, percentiles: readonly number[]): number[] {
  const histogram = new Uint32Array(65536);
  for (let i = 0; i < values.length; i++) histogram[values[i]]++;
  return percentilesOfHistogram(histogram, values.length, percentiles);
}

/** 65,536-entry table: sample -> 0..255 through the [low, high] window (all 0 when the window is empty). */
function windowTable(low: number, high: number): Float32Array {
  const range = high - low;
  const table = new Float32Array(65536);
  if (range > 0) for (let v = 0; v < 65536; v++) table[v] = (Math.min(Math.max(v - low, 0), range) / range) * 255;
  return table;
}

type Pass = (decoder: PngRowDecoder) => Promise<void>;

function passOver(source: Uint8Array | Blob): Pass {
  if (source instanceof Uint8Array) return (decoder) => pushBytes(source, decoder);
  return (decoder) => pushBlob(source, decoder);
}

async function headOf(source: Uint8Array | Blob): Promise<Uint8Array> {
  return source instanceof Uint8Array ? source : new Uint8Array(await source.slice(0, 33).arrayBuffer());
}

/**
 * Decodes a PNG of any bit depth and size (up to `maxPixels`) to size x size 8-bit gray. From a Blob, the file is
 * read in 1 MiB slices (twice for 16-bit files); nothing proportional to the image is ever allocated.
 */
export async function decodePngToGray(source: Uint8Array | Blob, size: number, options: PngGrayOptions = {}): Promise<Uint8Array> {
  const header = sniffPng(await headOf(source));
  if (!header) throw new FormatError('png', 'corrupt', 'not a PNG file (no valid IHDR header)');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (header.width === 0 || header.height === 0) throw new FormatError('png', 'corrupt', `image header says ${header.width} x ${header.height} pixels (corrupt)`);
  if (header.width * header.height > maxPixels || header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) {
    throw new FormatError('png', 'too-large', `image too large: ${header.width} x ${header.height} pixels (limit ${maxPixels.toLocaleString('en-US')})`);
  }
  if (header.interlaced) return decodeInterlaced(source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer()), header, size, options);
  const pass = passOver(source);
  const resizer = new RowResizer(header.width, header.height, size, size);
  if (header.bitDepth !== 16) {
    await pass(new PngRowDecoder((row) => resizer.pushRow(row), maxPixels));
    return toBytes(resizer.result());
  }
  const histogram = new Uint32Array(65536);
  await pass(
    new PngRowDecoder((row) => {
      for (let i = 0; i < row.length; i++) histogram[row[i]]++;
    }, maxPixels),
  );
  const [low, high] = percentilesOfHistogram(histogram, header.width * header.height, [options.lowPercentile ?? 0.5, options.highPercentile ?? 99.5]);
  const table = windowTable(low, high);
  const mapped = new Float32Array(header.width);
  await pass(
    new PngRowDecoder((row) => {
      for (let i = 0; i < row.length; i++) mapped[i] = table[row[i]];
      resizer.pushRow(mapped);
    }, maxPixels),
  );
  return toBytes(resizer.result());
}

/** Adam7 files, whole in memory with fast-png (which de-interlaces), up to IN_MEMORY_MAX_PIXELS. */
function decodeInterlaced(bytes: Uint8Array, header: PngHeader, size: number, options: PngGrayOptions): Uint8Array {
  if (header.width * header.height > IN_MEMORY_MAX_PIXELS) {
    throw new FormatError('png', 'unsupported', `interlaced (Adam7) PNG of ${header.width} x ${header.height}: above ${IN_MEMORY_MAX_PIXELS.toLocaleString('en-US')} pixels only non-interlaced PNGs are read; re-save it without interlacing`);
  }
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new FormatError('png', 'corrupt', `not a decodable PNG (truncated or corrupt): ${(error as Error).message}`);
  }
  const count = png.width * png.height;
  const samples = png.palette ? convertIndexedToRgb(png) : png.data;
  const channels = png.palette ? samples.length / count : png.channels;
  const gray = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    gray[i] = channels <= 2 ? samples[at] : Math.round(0.299 * samples[at] + 0.587 * samples[at + 1] + 0.114 * samples[at + 2]);
  }
  if (png.depth === 16) {
    const [low, high] = percentileOfSamples(gray, [options.lowPercentile ?? 0.5, options.highPercentile ?? 99.5]);
    const table = windowTable(low, high);
    for (let i = 0; i < count; i++) gray[i] = table[gray[i]];
  } else if (png.depth < 8 && !png.palette) {
    const max = (1 << png.depth) - 1;
    for (let i = 0; i < count; i++) gray[i] = (gray[i] / max) * 255;
  }
  return toBytes(resizeGray(gray, png.width, png.height, size, size));
}
