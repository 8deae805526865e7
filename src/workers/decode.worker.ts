/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size (with the out-of-distribution guard's image
 * statistics), off the main thread. A thin entry point over src/lab/decodeFile.ts; pixel buffers are transferred
 * back, not copied.
 */
import * as Comlink from 'comlink';
import { decodeFile, decodePixels } from '../lab/decodeFile';

const decodeApi = {
  async decode(blob: Blob, size: number) {
    const decoded = await decodeFile(blob, size);
    return Comlink.transfer(decoded, [decoded.pixels.buffer]);
  },
  /** Pixels only, without the guard's statistics (to price them in benchmarks). */
  async decodePixels(blob: Blob, size: number): Promise<Uint8Array> {
    const pixels = await decodePixels(blob, size);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
