/**
 * One file of an ingest, checked and decoded: decodeStudyImage checks the file first from its first and last bytes
 * (empty, truncated, not an image, too large to decode, unsupported DICOM), then DICOM and PNG go to their own
 * decoders (row by row where the image is large) and everything else to the browser's image decoder. Result: 8-bit
 * grayscale pixels at the storage size, with the statistics the out-of-distribution guard scores (colour measured on
 * the browser decoder's RGBA before the gray conversion loses it). Runs in a decode worker.
 */
import { decodeToGray } from '../formats/image/browserDecode';
import { decodeStudyImage } from '../formats/image/decodeImage';
import { decodeStudyImageWithStats, type DecodedWithStats } from '../formats/image/decodeWithStats';

export function decodeFile(blob: Blob, size: number): Promise<DecodedWithStats> {
  return decodeStudyImageWithStats(blob, size, decodeToGray, { path: (blob as File).name || 'image' });
}

/** The pixels alone (benchmarks price the guard's statistics against it). */
export function decodePixels(blob: Blob, size: number): Promise<Uint8Array> {
  return decodeStudyImage(blob, size, decodeToGray, { path: (blob as File).name || 'image' });
}
export type { DecodedWithStats };
