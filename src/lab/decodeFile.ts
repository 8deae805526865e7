/**
 * One file of an ingest, checked and decoded: decodeStudyImage checks the file first from its first and last bytes
 * (empty, truncated, not an image, too large to decode, unsupported DICOM), then DICOM and PNG go to their own
 * decoders (row by row where the image is large) and everything else to the browser's image decoder. Result: 8-bit
 * grayscale pixels at the storage size. Runs in a decode worker.
 */
import { decodeToGray } from '../formats/image/browserDecode';
import { decodeStudyImage } from '../formats/image/decodeImage';

export function decodeFile(blob: Blob, size: number): Promise<Uint8Array> {
  return decodeStudyImage(blob, size, decodeToGray, { path: (blob as File).name || 'image' });
}
