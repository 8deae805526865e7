/**
 * DICOM transfer syntaxes (PS3.6 annex A) this lab can decode, and the names of the common others so an
 * unsupported file gets a message a person can act on. Reading the meta header touches group 0002 only.
 */
import dicomParser from 'dicom-parser';

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

const SUPPORTED = new Set([IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, JPEG_BASELINE]);

const NAMES: Record<string, string> = {
  [IMPLICIT_VR_LITTLE_ENDIAN]: 'Implicit VR Little Endian',
  [EXPLICIT_VR_LITTLE_ENDIAN]: 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  [JPEG_BASELINE]: 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Lossy (Near-Lossless)',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

export function describeTransferSyntax(uid: string): string {
  return NAMES[uid] ?? 'unknown transfer syntax';
}

export function isSupportedTransferSyntax(uid: string): boolean {
  return SUPPORTED.has(uid);
}

/** The Transfer Syntax UID (0002,0010) of a Part 10 file, or null when the meta header is unreadable. */
export function readTransferSyntax(bytes: Uint8Array): string | null {
  try {
    const meta = dicomParser.readPart10Header(bytes, { untilTag: 'x00020010' });
    return meta.string('x00020010')?.trim() || null;
  } catch {
    return null;
  }
}

export function unsupportedSyntaxError(uid: string): Error {
  return new Error(`unsupported DICOM transfer syntax ${uid} (${describeTransferSyntax(uid)})`);
}
