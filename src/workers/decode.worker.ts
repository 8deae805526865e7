/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size, off the main thread. A thin entry point over
 * src/lab/decodeFile.ts; the pixel buffer is transferred back, not copied. decodeWithStats also returns the
 * statistics the out-of-distribution guard scores (src/formats/image/decodeWithStats.ts; colour is measured on the
 * browser decoder's RGBA, before the gray conversion loses it).
 */
import * as Comlink from 'comlink';
import { decodeFile } from '../lab/decodeFile';
import { decodeToGray } from '../formats/image/browserDecode';
import { checkAndDecodeWithStats, type DecodedWithStats } from '../formats/image/decodeWithStats';

const decodeApi = {
  async decode(blob: Blob, size: number): Promise<Uint8Array> {
    const pixels = await decodeFile(blob, size);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
  /** decode() plus the out-of-distribution guard's statistics (src/data/ood/ scores them). */
  async decodeWithStats(blob: Blob, size: number): Promise<DecodedWithStats> {
    const decoded = await checkAndDecodeWithStats(blob, size, decodeToGray);
    return Comlink.transfer(decoded, [decoded.pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
