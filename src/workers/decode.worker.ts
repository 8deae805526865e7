/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size, off the main thread.
 * The pixel buffer is transferred back, not copied.
 */
import * as Comlink from 'comlink';
import { decodeToGray } from '../data/decode';

const decodeApi = {
  async decode(blob: Blob, size: number): Promise<Uint8Array> {
    const pixels = await decodeToGray(blob, size);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
