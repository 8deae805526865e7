/**
 * One file of an ingest, checked and decoded: every file is checked first (empty, truncated, not an image, too large
 * to decode safely, unsupported DICOM), then DICOM and 16-bit PNG go to their own decoders and everything else to the
 * browser's image decoder. Result: 8-bit grayscale pixels at the storage size. Runs in a decode worker.
 */
import { decodeToGray } from '../formats/image/browserDecode';
import { decodeStudyImage } from '../formats/image/decodeImage';
import { preflightImage } from '../formats/image/preflight';

export async function decodeFile(blob: Blob, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const problem = preflightImage(bytes, (blob as File).name ?? 'image');
  if (problem) throw new Error(problem.reason);
  return decodeStudyImage(blob, size, decodeToGray);
}
