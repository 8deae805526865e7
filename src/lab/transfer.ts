/**
 * Results the worker sends back with large byte arrays (images, saliency heat values) hand their buffers over to the
 * page instead of copying them (Comlink.transfer marks them for postMessage's transfer list). Only whole buffers are
 * transferred: a view into a larger buffer would detach the rest of it. Outside a worker (tests call the trainer
 * directly) the mark is never read and nothing changes.
 */
import * as Comlink from 'comlink';

export function withTransfer<T>(value: T, arrays: Uint8Array[]): T {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) buffers.add(a.buffer);
  }
  return Comlink.transfer(value, [...buffers]);
}
