/**
 * Checks an image file BEFORE it is decoded: empty, not an image, truncated, or too large to decode safely.
 * Only headers and the last bytes are read, so a 4096 x 4096 PNG is refused without allocating 64 MB of RGBA.
 */
import { imageKindOf, jpegHasEnd, pngHasEnd, sniffJpeg, sniffPng } from './imageHeader';
import { describeTransferSyntax, isSupportedTransferSyntax, readTransferSyntax } from './dicomSyntaxes';
import type { Problem } from '../../run/datasets';

/**
 * 12 MP: above every chest radiograph of the study's datasets (CheXpert v1.0 full ~2,320 x 2,828 = 6.6 MP,
 * NIH and RSNA 1,024 x 1,024) and of PadChest / MIMIC-CXR (≲ 3,000 x 3,500 = 10.5 MP), while one decode
 * (4 bytes per RGBA pixel = 48 MB) stays affordable in each of several decoding workers.
 */
export const DEFAULT_MAX_PIXELS = 12_000_000;

export interface PreflightOptions {
  maxPixels?: number;
}

const EXTENSION_KIND: Record<string, string> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', dcm: 'dicom' };

function tooLarge(path: string, width: number, height: number, maxPixels: number): Problem | null {
  if (width === 0 || height === 0) return { path, reason: `image header says ${width} x ${height} pixels (corrupt)` };
  if (width * height <= maxPixels) return null;
  return {
    path,
    reason: `image too large: ${width} x ${height} = ${(width * height).toLocaleString('en-US')} pixels ` +
      `(limit ${maxPixels.toLocaleString('en-US')}); downscale it before dropping`,
  };
}

export function preflightImage(bytes: Uint8Array, path: string, options: PreflightOptions = {}): Problem | null {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) return { path, reason: 'zero-byte file' };
  const kind = imageKindOf(bytes);
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (kind === 'unknown') {
    const claimed = EXTENSION_KIND[extension];
    return { path, reason: claimed ? `not an image: the content is not ${claimed.toUpperCase()} despite the .${extension} extension` : 'not an image (not PNG, JPEG or DICOM)' };
  }
  if (kind === 'png') {
    const header = sniffPng(bytes);
    if (!header) return { path, reason: 'corrupt PNG: no valid IHDR header' };
    if (!pngHasEnd(bytes)) return { path, reason: 'truncated PNG (no IEND chunk at the end of the file)' };
    return tooLarge(path, header.width, header.height, maxPixels);
  }
  if (kind === 'jpeg') {
    const header = sniffJpeg(bytes);
    if (!header) return { path, reason: 'corrupt JPEG: no frame header (SOF) found' };
    if (!jpegHasEnd(bytes)) return { path, reason: 'truncated JPEG (no end-of-image marker)' };
    return tooLarge(path, header.width, header.height, maxPixels);
  }
  const syntax = readTransferSyntax(bytes);
  if (syntax === null) return { path, reason: 'corrupt DICOM: no transfer syntax in the file meta header' };
  if (!isSupportedTransferSyntax(syntax)) return { path, reason: `unsupported DICOM transfer syntax ${syntax} (${describeTransferSyntax(syntax)})` };
  return null;
}
