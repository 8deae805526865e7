/**
 * What the decode worker runs for decodeWithStats: src/lab/decodeFile.ts's checks (empty, truncated, not an image,
 * too large, unsupported DICOM: a readable Error), then the decoders with the out-of-distribution guard's statistics
 * (src/formats/image/decodeWithStats.ts). Here rather than beside decodeFile because the guard's branch does not
 * touch src/lab/; the two may be joined there. Runs in a decode worker (the browser decoder needs OffscreenCanvas);
 * the decoder is injectable for tests.
 */
import { decodeToGray } from '../../formats/image/browserDecode';
import { decodeStudyImageWithStats, type BrowserDecodeWithColour, type DecodedWithStats } from '../../formats/image/decodeWithStats';
import { preflightImage } from '../../formats/image/preflight';

export async function decodeFileWithStats(blob: Blob, size: number, browserDecode: BrowserDecodeWithColour = decodeToGray): Promise<DecodedWithStats> {
  const problem = preflightImage(new Uint8Array(await blob.arrayBuffer()), (blob as File).name ?? 'image');
  if (problem) throw new Error(problem.reason);
  return decodeStudyImageWithStats(blob, size, browserDecode);
}
