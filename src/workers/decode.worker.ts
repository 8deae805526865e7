/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size, off the main thread.
 * Every file is checked first (empty, truncated, not an image, too large to decode safely, unsupported DICOM);
 * DICOM and 16-bit PNG go to their own decoders, everything else to the browser's image decoder.
 * The pixel buffer is transferred back, not copied. decodeWithStats also returns the statistics the
 * out-of-distribution guard scores (colour is measured here, before the gray conversion loses it).
 */
import * as Comlink from 'comlink';
import { decodeToGray } from '../formats/image/browserDecode';
import { preflightImage } from '../formats/image/preflight';
import { decodeStudyImage } from '../formats/image/decodeImage';
import { decodeStudyImageWithStats, type DecodedWithStats } from '../formats/image/decodeWithStats';

const decodeApi = {
  async decode(blob: Blob, size: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const problem = preflightImage(bytes, (blob as File).name ?? 'image');
    if (problem) throw new Error(problem.reason);
    const pixels = await decodeStudyImage(blob, size, decodeToGray);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
  /** decode() plus the out-of-distribution guard's statistics (src/data/ood/ scores them). */
  async decodeWithStats(blob: Blob, size: number): Promise<DecodedWithStats> {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const problem = preflightImage(bytes, (blob as File).name ?? 'image');
    if (problem) throw new Error(problem.reason);
    const decoded = await decodeStudyImageWithStats(blob, size, decodeToGray);
    return Comlink.transfer(decoded, [decoded.pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
