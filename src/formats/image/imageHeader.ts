/**
 * What an image file is and how big it claims to be, read from its first bytes only (no decoding):
 * lets ingest reject non-images, truncated files and giant images before a decoder allocates anything.
 * Every reader here is bounds-checked: any bytes give an answer or null, never an exception.
 */

/**
 * 'dicom-raw': a DICOM data set without the Part 10 preamble and "DICM" (PS3.10 7.1), as some PACS exports and old
 * tools write it. bmp / webp / gif / tiff / jp2 are recognised so that a refusal or acceptance can name them.
 */
export type ImageKind = 'png' | 'jpeg' | 'dicom' | 'dicom-raw' | 'bmp' | 'webp' | 'gif' | 'tiff' | 'jp2' | 'unknown';

export interface PngHeader {
  width: number;
  height: number;
  /** 1, 2, 4, 8 or 16 bits per sample. */
  bitDepth: number;
  /** PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  channels: number;
  /** Adam7 (IHDR interlace method 1) */
  interlaced: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS_OF_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const ascii = (bytes: Uint8Array, at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;

/**
 * A data set without preamble starts with its first element: group 0x0002 (meta) or 0x0008 (identifying group,
 * always present in an image object) little endian, with either an explicit VR (two capital letters) or an
 * implicit 32-bit length smaller than the file.
 */
export function looksLikeRawDicom(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const group = bytes[0] | (bytes[1] << 8);
  if (group !== 0x0002 && group !== 0x0008) return false;
  if (isUpper(bytes[4]) && isUpper(bytes[5])) return true;
  const length = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16)) + bytes[7] * 2 ** 24;
  return group === 0x0008 && bytes[2] < 0x80 && bytes[3] === 0 && length < 1024;
}

export function imageKindOf(bytes: Uint8Array): ImageKind {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  // DICOM Part 10: 128-byte preamble then "DICM" (PS3.10 section 7.1).
  if (bytes.length >= 132 && ascii(bytes, 128, 'DICM')) return 'dicom';
  if (ascii(bytes, 0, 'BM') && bytes.length >= 26) return 'bmp';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'gif';
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*')) return 'tiff';
  if (ascii(bytes, 4, 'jP  ') || (bytes[0] === 0xff && bytes[1] === 0x4f && bytes[2] === 0xff && bytes[3] === 0x51)) return 'jp2';
  if (looksLikeRawDicom(bytes)) return 'dicom-raw';
  return 'unknown';
}

function readUint32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

/** PNG spec 11.2.2: the IHDR chunk follows the 8-byte signature; width, height, bit depth, colour type. */
export function sniffPng(bytes: Uint8Array): PngHeader | null {
  if (bytes.length < 33 || imageKindOf(bytes) !== 'png') return null;
  const isIhdr = bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52;
  if (!isIhdr) return null;
  const colorType = bytes[25];
  const channels = CHANNELS_OF_COLOR_TYPE[colorType];
  if (channels === undefined) return null;
  return { width: readUint32BE(bytes, 16), height: readUint32BE(bytes, 20), bitDepth: bytes[24], colorType, channels, interlaced: bytes[28] === 1 };
}

/** PNG spec 11.2.5: a complete file ends with the 12-byte IEND chunk (length 0, "IEND", CRC AE 42 60 82). */
export function pngHasEnd(bytes: Uint8Array): boolean {
  const tail = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
  const at = bytes.length - 8;
  return at > 0 && tail.every((b, i) => bytes[at + i] === b);
}

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  /** The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless, 9-11 arithmetic, ... */
  process: number;
  /** Bits per sample (8, or 12 / 16 for extended and lossless JPEG). */
  precision: number;
  /** EXIF orientation (1-8, 1 = as stored; TIFF 6.0 tag 0x0112), 1 when the file has none. */
  orientation: number;
}

/**
 * Walks the JPEG marker segments (ITU-T T.81 annex B) up to the first SOFn frame header, which holds the sample
 * precision, height (2 bytes), width (2 bytes) and the component count; an APP1 "Exif" segment on the way gives
 * the orientation.
 */
export function sniffJpeg(bytes: Uint8Array): JpegHeader | null {
  if (imageKindOf(bytes) !== 'jpeg') return null;
  let orientation = 1;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 9 >= bytes.length) return null;
      return {
        height: (bytes[at + 5] << 8) | bytes[at + 6],
        width: (bytes[at + 7] << 8) | bytes[at + 8],
        components: bytes[at + 9],
        process: marker & 0x0f,
        precision: bytes[at + 4],
        orientation,
      };
    }
    if (marker === 0xe1 && ascii(bytes, at + 4, 'Exif\0\0')) orientation = exifOrientation(bytes, at + 10, at + 2 + length) ?? orientation;
    if (marker === 0xda || length < 2) return null; // scan data before any frame header: malformed
    at += 2 + length;
  }
  return null;
}

/**
 * The Orientation tag (0x0112) of IFD0 in an EXIF block (a TIFF structure, TIFF 6.0 section 2) spanning
 * [start, end) of `bytes`; undefined when absent or malformed.
 */
function exifOrientation(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end > bytes.length || start + 8 > end) return undefined;
  const little = ascii(bytes, start, 'II');
  if (!little && !ascii(bytes, start, 'MM')) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
  const u16 = (at: number) => view.getUint16(at, little);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > view.byteLength) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > view.byteLength) return undefined;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/**
 * T.81 B.2.1: a complete JPEG ends with EOI (FF D9). Some writers pad after it, so the last KiB is searched.
 */
export function jpegHasEnd(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 1024); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}
