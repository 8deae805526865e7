/**
 * Checks an image file BEFORE it is decoded: empty, not an image, truncated, or larger than the lab reads.
 * Only the first 64 KiB to 1 MiB (headers) and the last KiB (end markers) are read, so a 16,000 x 16,000 file is judged
 * without reading it, and nothing is allocated in proportion to the image.
 *
 * Limits (docs/input-kinds.md). PNG is decoded row by row and JPEG downscaled while decoding (DCT scaling, Chromium's
 * ImageDecoder), so their memory does not grow with the image; they are accepted up to MAX_IMAGE_PIXELS =
 * 16,384 x 16,384 (268 MP) and 65,535 px a side. The largest real radiographs are far below: a 43 x 43 cm flat
 * panel at 100 um is ~4,300 x 4,300 = 18.5 MP, a stitched full-spine image ~3,000 x 7,000 = 21 MP, full-field
 * mammography 4,096 x 5,625 = 23 MP (CheXpert 6.6 MP, NIH and RSNA 1 MP). The bound keeps a 16-bit file's two
 * decoding passes within the decode worker's time limit. DICOM pixel data and the formats only the browser decodes
 * whole (BMP, WebP, GIF) are held whole in memory: they stop at WHOLE_DECODE_MAX_PIXELS = 50 MP (200 MB of RGBA).
 */
import { imageKindOf, jpegHasEnd, pngHasEnd, sniffJpeg, sniffPng, type ImageKind } from './imageHeader';
import { describeTransferSyntax, isSupportedTransferSyntax, readTransferSyntax } from './dicomSyntaxes';
import type { Problem } from '../../run/datasets';

export const MAX_IMAGE_PIXELS = 16_384 * 16_384;
export const MAX_IMAGE_SIDE = 65_535;
export const WHOLE_DECODE_MAX_PIXELS = 50_000_000;
/**
 * A progressive JPEG cannot be decoded downscaled without its DCT coefficients: libjpeg keeps 2 bytes per sample
 * for the whole image (an 8,000 x 8,000 grey one took 128 MB in Chromium). 200 M samples (400 MB) admit an
 * 8,000 x 8,000 colour JPEG and bound what one decode may take.
 */
export const PROGRESSIVE_JPEG_MAX_SAMPLES = 200_000_000;
/** The limit decoders apply when the caller gives none (PNG, JPEG). */
export const DEFAULT_MAX_PIXELS = MAX_IMAGE_PIXELS;

/**
 * Bytes read from the start of a file for the checks: PNG's IHDR, DICOM's meta group, BMP / WebP headers and nearly
 * every JPEG frame header lie in the first 64 KiB. A JPEG whose APP segments (EXIF, ICC profile) push its frame
 * header further is read again up to 1 MiB (`readFileEnds`).
 */
export const PREFLIGHT_HEAD_BYTES = 1 << 16;
const LONG_JPEG_HEAD_BYTES = 1 << 20;
const TAIL_BYTES = 1024;

export interface PreflightOptions {
  /** PNG / JPEG limit (default MAX_IMAGE_PIXELS). */
  maxPixels?: number;
}

/** What the checks read: the file's first bytes, its last bytes and its size. */
export interface FileEnds {
  head: Uint8Array;
  tail: Uint8Array;
  size: number;
}

const EXTENSION_KIND: Record<string, string> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', dcm: 'dicom', bmp: 'bmp', webp: 'webp', tif: 'tiff', tiff: 'tiff' };

/** Why a kind the browser cannot decode is refused, and what to do instead. */
const NOT_DECODED: Partial<Record<ImageKind, string>> = {
  tiff: 'TIFF images are not decoded by browsers; convert them to PNG (16-bit TIFF to 16-bit PNG keeps every bit)',
  jp2: 'JPEG 2000 images are not decoded by browsers; convert them to PNG',
  gif: 'GIF is not a radiograph format (256 colours); convert the source image to PNG',
};

function sizeProblem(path: string, width: number, height: number, maxPixels: number): Problem | null {
  if (width === 0 || height === 0) return { path, reason: `image header says ${width} x ${height} pixels (corrupt)` };
  if (width * height <= maxPixels && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE) return null;
  return {
    path,
    reason: `image too large: ${width} x ${height} = ${(width * height).toLocaleString('en-US')} pixels ` +
      `(limit ${maxPixels.toLocaleString('en-US')} pixels and ${MAX_IMAGE_SIDE.toLocaleString('en-US')} a side, far above any radiograph); downscale it before adding it`,
  };
}

/** BMP (Microsoft BITMAPINFOHEADER): width and height at 18 and 22, little endian; height < 0 means top-down. */
function bmpSize(head: Uint8Array): [number, number] | null {
  if (head.length < 26) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return [Math.abs(view.getInt32(18, true)), Math.abs(view.getInt32(22, true))];
}

/** WebP (RFC 9649): VP8X canvas size, VP8L 14-bit fields, or the VP8 key frame's 14-bit fields. */
function webpSize(head: Uint8Array): [number, number] | null {
  if (head.length < 30) return null;
  const chunk = String.fromCharCode(head[12], head[13], head[14], head[15]);
  const u24 = (at: number) => head[at] | (head[at + 1] << 8) | (head[at + 2] << 16);
  if (chunk === 'VP8X') return [u24(24) + 1, u24(27) + 1];
  if (chunk === 'VP8L') {
    const bits = head[21] | (head[22] << 8) | (head[23] << 16) | (head[24] << 24);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (chunk === 'VP8 ') return [(head[26] | (head[27] << 8)) & 0x3fff, (head[28] | (head[29] << 8)) & 0x3fff];
  return null;
}

/** The checks on a file's two ends; null when the file may be decoded. */
export function preflightEnds(ends: FileEnds, path: string, options: PreflightOptions = {}): Problem | null {
  const { head, tail, size } = ends;
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  if (size === 0) return { path, reason: 'zero-byte file' };
  const kind = imageKindOf(head);
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const claimed = EXTENSION_KIND[extension];
  if (kind === 'unknown' || (kind === 'dicom-raw' && claimed !== 'dicom')) {
    return { path, reason: claimed ? `not an image: the content is not ${claimed.toUpperCase()} despite the .${extension} extension` : 'not an image (not PNG, JPEG, DICOM, BMP or WebP)' };
  }
  const refusal = NOT_DECODED[kind];
  if (refusal) return { path, reason: refusal };
  if (kind === 'png') {
    const header = sniffPng(head);
    if (!header) return { path, reason: 'corrupt PNG: no valid IHDR header' };
    if (!pngHasEnd(tail)) return { path, reason: 'truncated PNG (no IEND chunk at the end of the file)' };
    return sizeProblem(path, header.width, header.height, maxPixels);
  }
  if (kind === 'jpeg') {
    const header = sniffJpeg(head);
    if (!header) return { path, reason: 'corrupt JPEG: no frame header (SOF) found' };
    if (!jpegHasEnd(tail)) return { path, reason: 'truncated JPEG (no end-of-image marker)' };
    if (header.process === 3 || header.process === 7 || header.process === 11 || header.process === 15) {
      return { path, reason: 'lossless JPEG (ITU T.81 process 14) is not decoded by browsers; convert it to PNG' };
    }
    if (header.process >= 9) return { path, reason: 'arithmetic-coded JPEG is not decoded by browsers; convert it to PNG' };
    if (header.precision !== 8) return { path, reason: `${header.precision}-bit JPEG is not decoded by browsers (only 8-bit); convert it to 16-bit PNG` };
    const samples = header.width * header.height * header.components;
    if ((header.process & 3) === 2 && samples > PROGRESSIVE_JPEG_MAX_SAMPLES) {
      return { path, reason: `progressive JPEG too large: ${header.width} x ${header.height} x ${header.components} components needs ${Math.round((2 * samples) / 2 ** 20)} MB to decode (limit ${PROGRESSIVE_JPEG_MAX_SAMPLES.toLocaleString('en-US')} samples); re-save it as baseline JPEG or PNG` };
    }
    return sizeProblem(path, header.width, header.height, maxPixels);
  }
  if (kind === 'bmp' || kind === 'webp') {
    const dims = kind === 'bmp' ? bmpSize(head) : webpSize(head);
    if (!dims) return { path, reason: `corrupt ${kind.toUpperCase()}: no readable image size` };
    return sizeProblem(path, dims[0], dims[1], Math.min(maxPixels, WHOLE_DECODE_MAX_PIXELS));
  }
  if (kind === 'dicom-raw') return null; // no meta header to check: the decoder reads it as Implicit / Explicit VR LE
  const syntax = readTransferSyntax(head);
  if (syntax === null) return { path, reason: 'corrupt DICOM: no transfer syntax in the file meta header' };
  if (!isSupportedTransferSyntax(syntax)) return { path, reason: `unsupported DICOM transfer syntax ${syntax} (${describeTransferSyntax(syntax)})` };
  return null;
}

/** The same checks on bytes in memory (a whole file, or at least its head when `size` is the file's). */
export function preflightImage(bytes: Uint8Array, path: string, options: PreflightOptions = {}): Problem | null {
  return preflightEnds({ head: bytes, tail: bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), size: bytes.length }, path, options);
}

/** A Blob's two ends as the checks read them: 64 KiB (1 MiB for a JPEG with long headers) and 1 KiB. */
export async function readFileEnds(blob: Blob): Promise<FileEnds> {
  const read = async (from: number, to: number) => new Uint8Array(await blob.slice(from, to).arrayBuffer());
  const headEnd = Math.min(blob.size, PREFLIGHT_HEAD_BYTES);
  // Both ends at once: the two reads' latencies overlap.
  let [head, tail] = await Promise.all([read(0, headEnd), blob.size > headEnd ? read(blob.size - TAIL_BYTES, blob.size) : Promise.resolve(null)]);
  if (head.length < blob.size && imageKindOf(head) === 'jpeg' && !sniffJpeg(head)) head = await read(0, Math.min(blob.size, LONG_JPEG_HEAD_BYTES));
  return { head, tail: tail ?? head.subarray(Math.max(0, head.length - TAIL_BYTES)), size: blob.size };
}

/** Reads a Blob's two ends (at most 1 MiB + 1 KiB) and checks them. */
export async function preflightBlob(blob: Blob, path: string, options: PreflightOptions = {}): Promise<Problem | null> {
  return preflightEnds(await readFileEnds(blob), path, options);
}
