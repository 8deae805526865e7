/**
 * Random access to the entries of a zip archive held in a Blob (PKWARE APPNOTE.TXT 6.3: end of central
 * directory, central directory headers, local headers, Zip64 extensions). Only the directory is read up
 * front; an entry's bytes are sliced from the Blob when asked for, so a 344 MB checkpoint is never copied
 * whole. fflate inflates the rare deflated entry (torch.save stores its entries uncompressed).
 */
import { inflateSync } from 'fflate';
import { readRange } from './checkpointReader';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

function u64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('zip offset beyond 2^53 bytes');
  return Number(value);
}

export class ZipReader {
  private constructor(
    private readonly file: Blob,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  static async open(file: Blob): Promise<ZipReader> {
    // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end of the file.
    const tailStart = Math.max(0, file.size - (22 + 65535));
    const tail = await readRange(file, tailStart, file.size);
    const tailView = new DataView(tail.buffer);
    let eocd = -1;
    for (let i = tail.byteLength - 22; i >= 0; i--) {
      if (tailView.getUint32(i, true) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
    let count = tailView.getUint16(eocd + 10, true);
    let cdSize = tailView.getUint32(eocd + 12, true);
    let cdOffset = tailView.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || tailView.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) throw new Error('zip64 archive without its locator');
      const recordOffset = u64(tailView, locator + 8);
      const record = new DataView((await readRange(file, recordOffset, recordOffset + 56)).buffer);
      if (record.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw new Error('zip64 end-of-central-directory record not found');
      count = u64(record, 32);
      cdSize = u64(record, 40);
      cdOffset = u64(record, 48);
    }
    const cd = await readRange(file, cdOffset, cdOffset + cdSize);
    const view = new DataView(cd.buffer);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    for (let k = 0; k < count; k++) {
      if (view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new Error(`corrupt zip central directory at entry ${k}`);
      const method = view.getUint16(at + 10, true);
      let compressedSize = view.getUint32(at + 20, true);
      let size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      let localHeaderOffset = view.getUint32(at + 42, true);
      const name = new TextDecoder().decode(cd.subarray(at + 46, at + 46 + nameLength));
      // Zip64 extra field (id 1) holds, in this order, only the fields whose 32-bit slot is 0xFFFFFFFF.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const length = view.getUint16(extra + 2, true);
        if (id === 1) {
          let p = extra + 4;
          if (size === 0xffffffff) {
            size = u64(view, p);
            p += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(view, p);
            p += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(view, p);
        }
        extra += 4 + length;
      }
      entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      at = extraEnd + commentLength;
    }
    return new ZipReader(file, entries);
  }

  /** Absolute offset of an entry's (possibly compressed) bytes: after its local header, name and extra field. */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const local = new DataView((await readRange(this.file, entry.localHeaderOffset, entry.localHeaderOffset + 30)).buffer);
    if (local.getUint32(0, true) !== LOCAL_SIGNATURE) throw new Error(`corrupt zip local header for ${entry.name}`);
    return entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  }

  /** Bytes [begin, end) of an entry's uncompressed content; stored entries are sliced, never read whole. */
  async readEntryRange(name: string, begin = 0, end?: number): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`zip entry ${name} is missing`);
    const stop = end ?? entry.size;
    if (begin < 0 || stop > entry.size || stop < begin) throw new Error(`range [${begin}, ${stop}) outside zip entry ${name} (${entry.size} bytes)`);
    const start = await this.dataOffset(entry);
    if (entry.method === 0) return readRange(this.file, start + begin, start + stop);
    if (entry.method === 8) {
      const whole = inflateSync(await readRange(this.file, start, start + entry.compressedSize));
      return whole.subarray(begin, stop);
    }
    throw new Error(`zip entry ${name} uses compression method ${entry.method}; only stored and deflated are supported`);
  }
}
