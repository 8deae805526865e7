/**
 * One image file to size x size 8-bit gray, whatever it is: checked first (preflight.ts: empty, not an image,
 * truncated, larger than the limits), then routed to the decoder that keeps its content within bounded memory:
 * DICOM -> decodeDicom; 16-bit or very large PNG -> the row decoder (png16.ts; a canvas would drop bits or hold the
 * whole image); everything else (8-bit PNG, JPEG, BMP, WebP) -> the browser decoder the caller passes
 * (browserDecode.ts in the decode worker), given the header's size so that it decodes large JPEGs downscaled.
 * Every refusal is a FormatError whose message is the per-file reason the ingest report shows.
 */
import { FormatError } from '../formatError';
import type { DecodeHint } from './browserDecode';
import { decodeDicom, type JpegDecoder } from './dicom';
import { imageKindOf, sniffJpeg, sniffPng } from './imageHeader';
import { decodePngToGray, needsRowDecode } from './png16';
import { preflightEnds, readFileEnds } from './preflight';

export type DecodeRoute = 'dicom' | 'png-rows' | 'browser';

/** A browser decoder (browserDecode.ts decodeToGray): `onRgba` as there, `hint` the header's kind and size. */
export type BrowserDecode = (blob: Blob, size: number, onRgba?: (rgba: Uint8ClampedArray) => void, hint?: DecodeHint) => Promise<Uint8Array>;

export interface StudyDecodeOptions {
  decodeJpeg?: JpegDecoder;
  /** PNG / JPEG pixel limit (default preflight's MAX_IMAGE_PIXELS). */
  maxPixels?: number;
  /** The file's path, for the extension check ("a .png that is not a PNG"); default the File's name. */
  path?: string;
}

export function decodeRouteOf(head: Uint8Array): DecodeRoute {
  const kind = imageKindOf(head);
  if (kind === 'dicom' || kind === 'dicom-raw') return 'dicom';
  if (kind === 'png' && needsRowDecode(sniffPng(head))) return 'png-rows';
  return 'browser';
}

/** What the browser decoder needs to know of a file it gets: its kind, and a JPEG's or PNG's size. */
function hintOf(head: Uint8Array): DecodeHint {
  const kind = imageKindOf(head);
  const header = kind === 'jpeg' ? sniffJpeg(head) : kind === 'png' ? sniffPng(head) : null;
  return { kind, width: header?.width ?? 0, height: header?.height ?? 0 };
}

/** size x size 8-bit gray pixels of any supported radiograph file. Rejects with a FormatError for a bad file. */
export async function decodeStudyImage(blob: Blob, size: number, browserDecode: BrowserDecode, options: StudyDecodeOptions = {}): Promise<Uint8Array> {
  const path = options.path ?? (blob as Blob & { name?: string }).name ?? 'image';
  const ends = await readFileEnds(blob);
  const { head } = ends;
  const problem = preflightEnds(ends, path, { maxPixels: options.maxPixels });
  if (problem) throw new FormatError('image', 'corrupt', problem.reason);
  const route = decodeRouteOf(head);
  if (route === 'browser') return browserDecode(blob, size, undefined, hintOf(head));
  if (route === 'png-rows') return decodePngToGray(blob, size, { maxPixels: options.maxPixels });
  const bytes = head.length === blob.size ? head : new Uint8Array(await blob.arrayBuffer());
  return (await decodeDicom(bytes, { size, decodeJpeg: options.decodeJpeg })).pixels;
}
