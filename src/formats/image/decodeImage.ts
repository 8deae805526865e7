/**
 * Routes one image file to the decoder that keeps its content: DICOM -> decodeDicom, 16-bit PNG -> the full-range
 * PNG decoder (a canvas would drop bits), everything else -> the browser decoder the caller passes
 * (DATA-CORE's decodeToGray, createImageBitmap based). Meant for the decoding worker; run preflightImage first.
 */
import { decodeDicom, type JpegDecoder } from './dicom';
import { imageKindOf, sniffPng } from './imageHeader';
import { decodePngToGray, needsFullRangeDecode } from './png16';

export type DecodeRoute = 'dicom' | 'png-full-range' | 'browser';

export type BrowserDecode = (blob: Blob, size: number) => Promise<Uint8Array>;

export interface StudyDecodeOptions {
  decodeJpeg?: JpegDecoder;
  maxPixels?: number;
}

export function decodeRouteOf(head: Uint8Array): DecodeRoute {
  const kind = imageKindOf(head);
  if (kind === 'dicom') return 'dicom';
  if (kind === 'png' && needsFullRangeDecode(sniffPng(head))) return 'png-full-range';
  return 'browser';
}

/** size x size 8-bit gray pixels of any supported radiograph file. Throws a readable Error for a bad file. */
export async function decodeStudyImage(blob: Blob, size: number, browserDecode: BrowserDecode, options: StudyDecodeOptions = {}): Promise<Uint8Array> {
  // 132 bytes cover the PNG IHDR (33) and the DICOM preamble + "DICM" (132).
  const route = decodeRouteOf(new Uint8Array(await blob.slice(0, 132).arrayBuffer()));
  if (route === 'browser') return browserDecode(blob, size);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (route === 'dicom') return (await decodeDicom(bytes, { size, ...options })).pixels;
  return decodePngToGray(bytes, size, { maxPixels: options.maxPixels });
}
