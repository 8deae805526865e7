/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size, off the main thread. A thin entry point over
 * src/lab/decodeFile.ts; the pixel buffer is transferred back, not copied. decodeWithStats also returns the
 * statistics the out-of-distribution guard scores (src/data/ood/decodeFileWithStats.ts; colour is measured on the
 * browser decoder's RGBA, before the gray conversion loses it).
 */
import * as Comlink from 'comlink';
import { decodeFile } from '../lab/decodeFile';
import { decodeFileWithStats } from '../data/ood/decodeFileWithStats';

const decodeApi = {
  async decode(blob: Blob, size: number): Promise<Uint8Array> {
    const pixels = await decodeFile(blob, size);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
  /** decode() plus the out-of-distribution guard's statistics (src/data/ood/ scores them). */
  async decodeWithStats(blob: Blob, size: number) {
    const decoded = await decodeFileWithStats(blob, size);
    return Comlink.transfer(decoded, [decoded.pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
