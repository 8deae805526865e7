/**
 * What an image file is and how big it claims to be, read from its first bytes only (no decoding):
 * lets ingest reject non-images, truncated files and giant images before a decoder allocates anything.
 */

export type ImageKind = 'png' | 'jpeg' | 'dicom' | 'unknown';

export interface PngHeader {
  width: number;
  height: number;
  /** 1, 2, 4, 8 or 16 bits per sample. */
  bitDepth: number;
  /** PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  channels: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS_OF_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function imageKindOf(bytes: Uint8Array): ImageKind {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  // DICOM Part 10: 128-byte preamble then "DICM" (PS3.10 section 7.1).
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return 'dicom';
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
  return { width: readUint32BE(bytes, 16), height: readUint32BE(bytes, 20), bitDepth: bytes[24], colorType, channels };
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
  /** The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless, ... */
  process: number;
}

/**
 * Walks the JPEG marker segments (ITU-T T.81 annex B) up to the first SOFn frame header, which holds
 * height (2 bytes), width (2 bytes) and the component count.
 */
export function sniffJpeg(bytes: Uint8Array): JpegHeader | null {
  if (imageKindOf(bytes) !== 'jpeg') return null;
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
      };
    }
    if (marker === 0xda || length < 2) return null; // scan data before any frame header: malformed
    at += 2 + length;
  }
  return null;
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
