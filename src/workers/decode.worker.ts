/**
 * Decode worker: blob -> 8-bit grayscale pixels at the storage size, off the main thread. A thin entry point over
 * src/lab/decodeFile.ts; the pixel buffer is transferred back, not copied.
 */
import * as Comlink from 'comlink';
import { decodeFile } from '../lab/decodeFile';

const decodeApi = {
  async decode(blob: Blob, size: number): Promise<Uint8Array> {
    const pixels = await decodeFile(blob, size);
    return Comlink.transfer(pixels, [pixels.buffer]);
  },
};

export type DecodeWorkerApi = typeof decodeApi;

Comlink.expose(decodeApi);
