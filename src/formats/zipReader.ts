/**
 * Random access to the entries of a zip archive held in a Blob (PKWARE APPNOTE.TXT 6.3: end of central
 * directory, central directory headers, local headers, Zip64 extensions). Only the directory is read up
 * front; an entry's bytes are sliced from the Blob when asked for, so a 344 MB checkpoint or a 40 GB dataset zip
 * is never copied whole. Stored entries become Blob slices (no copy); deflated ones are inflated as a stream
 * with fflate's `Inflate`, chunk by chunk from `Blob.slice`, and stop as soon as they pass their declared size.
 *
 * Refused by name (FormatError): entries whose path leaves the archive's folder ('path-escape'), and zip bombs
 * ('zip-bomb'): entries whose data overlap (the overlapping-file bomb), that claim to inflate more than
 * MAX_INFLATE_RATIO times their compressed size or beyond MAX_INFLATED_ENTRY_BYTES, or that inflate past the size
 * the directory declares.
 */
import { Inflate } from 'fflate';
import { safeEntryPath } from './archivePath';
import { readRange } from './checkpointReader';
import { FormatError } from './formatError';

export interface ZipEntry {
  /** The name as stored in the central directory. */
  name: string;
  /** The name as a safe '/'-separated relative path (see archivePath.ts). */
  path: string;
  /** 0 = stored, 8 = deflated */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  isDirectory: boolean;
}

/**
 * Deflate cannot do better than about 1032 : 1; real files in a dataset zip (PNG and JPEG do not shrink, CSV
 * about 5 : 1, uncompressed DICOM 2-4 : 1) stay far below 100 : 1. Entries under SMALL_ENTRY_BYTES are exempt
 * (a small all-zero file is not a bomb).
 */
export const MAX_INFLATE_RATIO = 100;
const SMALL_ENTRY_BYTES = 1 << 20;
/**
 * 1 GiB: above any image the lab accepts (preflight's limit of 30,000 x 30,000 compresses far below this in PNG
 * or JPEG; an uncompressed 16-bit DICOM at the largest real detector size, ~4,300 x 4,300, is 37 MB) and any index
 * file (CheXpert's train.csv is 26 MB). An entry that claims more is refused before anything is inflated.
 */
export const MAX_INFLATED_ENTRY_BYTES = 1 << 30;
const INFLATE_CHUNK_BYTES = 1 << 20;

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;

const corrupt = (message: string) => new FormatError('zip', 'corrupt', message);

function u64(view: DataView, at: number): number {
  if (at + 8 > view.byteLength) throw corrupt('zip64 field runs past its record');
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('zip offset beyond 2^53 bytes');
  return Number(value);
}

/** IBM code page 437, bytes 0x80-0xFF: the encoding APPNOTE D.1 prescribes for names without the UTF-8 flag. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/**
 * APPNOTE 4.4.4 bit 11 marks UTF-8 names. Many writers use UTF-8 without setting it, so valid UTF-8 is taken as
 * UTF-8 and only the rest is read as CP437 (old Windows "compressed folders").
 */
function decodeName(raw: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag || raw.every((b) => b < 0x80)) return new TextDecoder().decode(raw);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return Array.from(raw, (b) => (b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80])).join('');
  }
}

export class ZipReader {
  private constructor(
    private readonly file: Blob,
    /** By stored name; the first of duplicate names wins. */
    readonly entries: Map<string, ZipEntry>,
    /** Every entry, in central-directory order. */
    readonly list: ZipEntry[],
  ) {}

  static async open(file: Blob): Promise<ZipReader> {
    if (file.size === 0) throw new FormatError('zip', 'empty', 'zero-byte file, not a zip archive');
    // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end of the file.
    const tailStart = Math.max(0, file.size - (22 + 65535));
    const tail = await readRange(file, tailStart, file.size);
    const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tail.byteLength - 22; i >= 0; i--) {
      if (tailView.getUint32(i, true) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new FormatError('zip', 'truncated', 'not a zip archive, or a truncated one: no end-of-central-directory record');
    let count = tailView.getUint16(eocd + 10, true);
    let cdSize = tailView.getUint32(eocd + 12, true);
    let cdOffset = tailView.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || tailView.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) throw corrupt('zip64 archive without its locator');
      const recordOffset = u64(tailView, locator + 8);
      const recordBytes = await readRange(file, recordOffset, recordOffset + 56);
      const record = new DataView(recordBytes.buffer, recordBytes.byteOffset, recordBytes.byteLength);
      if (record.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw corrupt('zip64 end-of-central-directory record not found');
      count = u64(record, 32);
      cdSize = u64(record, 40);
      cdOffset = u64(record, 48);
    }
    if (count * CENTRAL_HEADER_BYTES > cdSize) throw corrupt(`zip central directory of ${cdSize} bytes cannot hold ${count} entries`);
    const cd = await readRange(file, cdOffset, cdOffset + cdSize);
    const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    const entries = new Map<string, ZipEntry>();
    const list: ZipEntry[] = [];
    /** [start, lower bound of the end) of each entry's local header + data, for the overlap check. */
    const spans: [number, number, string][] = [];
    let at = 0;
    for (let k = 0; k < count; k++) {
      if (at + CENTRAL_HEADER_BYTES > cd.byteLength || view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw corrupt(`corrupt zip central directory at entry ${k}`);
      const flags = view.getUint16(at + 8, true);
      const method = view.getUint16(at + 10, true);
      let compressedSize = view.getUint32(at + 20, true);
      let size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      let localHeaderOffset = view.getUint32(at + 42, true);
      const nameEnd = at + CENTRAL_HEADER_BYTES + nameLength;
      const extraEnd = nameEnd + extraLength;
      if (extraEnd + commentLength > cd.byteLength) throw corrupt(`zip central directory entry ${k} runs past the directory`);
      const name = decodeName(cd.subarray(at + CENTRAL_HEADER_BYTES, nameEnd), (flags & 0x800) !== 0);
      // Zip64 extra field (id 1) holds, in this order, only the fields whose 32-bit slot is 0xFFFFFFFF.
      let extra = nameEnd;
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const length = view.getUint16(extra + 2, true);
        if (id === 1) {
          const field = new DataView(cd.buffer, cd.byteOffset + extra + 4, Math.min(length, extraEnd - extra - 4));
          let p = 0;
          if (size === 0xffffffff) (size = u64(field, p)), (p += 8);
          if (compressedSize === 0xffffffff) (compressedSize = u64(field, p)), (p += 8);
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(field, p);
        }
        extra += 4 + length;
      }
      const isDirectory = name.endsWith('/') || name.endsWith('\\');
      const path = safeEntryPath(name, 'zip');
      if (flags & 0x1) throw new FormatError('zip', 'unsupported', `zip entry "${name}" is encrypted; the lab reads only unencrypted archives`);
      if (!isDirectory && method === 8) {
        if (size > MAX_INFLATED_ENTRY_BYTES) {
          throw new FormatError('zip', 'zip-bomb', `zip entry "${name}" would inflate to ${size.toLocaleString('en-US')} bytes (limit ${MAX_INFLATED_ENTRY_BYTES.toLocaleString('en-US')}): refused as a possible zip bomb`);
        }
        if (size > SMALL_ENTRY_BYTES && size > MAX_INFLATE_RATIO * compressedSize) {
          throw new FormatError('zip', 'zip-bomb', `zip entry "${name}" inflates ${Math.round(size / Math.max(1, compressedSize))} times its compressed size (limit ${MAX_INFLATE_RATIO}): refused as a zip bomb`);
        }
      }
      if (localHeaderOffset + LOCAL_HEADER_BYTES + nameLength + compressedSize > cdOffset) {
        throw new FormatError('zip', 'truncated', `zip entry "${name}" runs past the start of the central directory (truncated or corrupt archive)`);
      }
      spans.push([localHeaderOffset, localHeaderOffset + LOCAL_HEADER_BYTES + nameLength + compressedSize, name]);
      const entry: ZipEntry = { name, path, method, compressedSize, size, localHeaderOffset, isDirectory };
      list.push(entry);
      if (!entries.has(name)) entries.set(name, entry);
      at = extraEnd + commentLength;
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i][0] < spans[i - 1][1]) {
        throw new FormatError('zip', 'zip-bomb', `zip entries "${spans[i - 1][2]}" and "${spans[i][2]}" share bytes (the overlapping-entry zip bomb): refused`);
      }
    }
    return new ZipReader(file, entries, list);
  }

  /** Absolute offset of an entry's (possibly compressed) bytes: after its local header, name and extra field. */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const header = await readRange(this.file, entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_BYTES);
    const local = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (local.getUint32(0, true) !== LOCAL_SIGNATURE) throw corrupt(`corrupt zip local header for ${entry.name}`);
    const start = entry.localHeaderOffset + LOCAL_HEADER_BYTES + local.getUint16(26, true) + local.getUint16(28, true);
    if (start + entry.compressedSize > this.file.size) throw new FormatError('zip', 'truncated', `zip entry ${entry.name} runs past the end of the file (truncated download?)`);
    return start;
  }

  private method(entry: ZipEntry): void {
    if (entry.method !== 0 && entry.method !== 8) {
      throw new FormatError('zip', 'unsupported', `zip entry ${entry.name} uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`);
    }
  }

  /**
   * The entry's content as a Blob: a slice of the archive for a stored entry (nothing is read), the inflated
   * bytes for a deflated one. Memory: the entry's size plus one 1 MiB compressed chunk.
   */
  async entryBlob(entry: ZipEntry, signal?: AbortSignal): Promise<Blob> {
    this.method(entry);
    const start = await this.dataOffset(entry);
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw corrupt(`stored zip entry ${entry.name} has compressed size ${entry.compressedSize} but size ${entry.size}`);
      return this.file.slice(start, start + entry.size);
    }
    return new Blob((await this.inflate(entry, start, entry.size, signal)) as BlobPart[]);
  }

  /**
   * Inflates the entry chunk by chunk, keeping output only up to `keep` bytes; throws 'zip-bomb' as soon as it
   * yields more than the declared size and 'corrupt' when it yields less.
   */
  private async inflate(entry: ZipEntry, start: number, keep: number, signal?: AbortSignal): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let produced = 0;
    let kept = 0;
    let finished = false;
    const inflater = new Inflate((chunk, final) => {
      produced += chunk.length;
      if (produced > entry.size) {
        throw new FormatError('zip', 'zip-bomb', `zip entry ${entry.name} inflates past its declared ${entry.size.toLocaleString('en-US')} bytes: refused as a zip bomb`);
      }
      if (kept < keep) {
        const part = chunk.length > keep - kept ? chunk.subarray(0, keep - kept) : chunk;
        out.push(part);
        kept += part.length;
      }
      if (final) finished = true;
    });
    const end = start + entry.compressedSize;
    for (let at = start; at < end || (at === end && end === start); at += INFLATE_CHUNK_BYTES) {
      if (signal?.aborted) throw new DOMException('reading the zip entry was cancelled', 'AbortError');
      const stop = Math.min(end, at + INFLATE_CHUNK_BYTES);
      const chunk = await readRange(this.file, at, stop);
      try {
        inflater.push(chunk, stop === end);
      } catch (error) {
        if (error instanceof FormatError) throw error;
        throw corrupt(`zip entry ${entry.name} does not inflate (${(error as Error).message}; corrupt or truncated archive)`);
      }
      if (stop === end) break;
      // The rest of the output is not needed: stop reading (a range read at the start of a tensor entry).
      if (kept >= keep && keep < entry.size) return out;
    }
    if (!finished || produced !== entry.size) {
      throw corrupt(`zip entry ${entry.name} inflates to ${produced.toLocaleString('en-US')} bytes, not the declared ${entry.size.toLocaleString('en-US')}`);
    }
    return out;
  }

  /** Bytes [begin, end) of an entry's uncompressed content; stored entries are sliced, never read whole. */
  async readEntryRange(name: string, begin = 0, end?: number): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (!entry) throw new FormatError('zip', 'missing', `zip entry ${name} is missing`);
    const stop = end ?? entry.size;
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(stop) || begin < 0 || stop > entry.size || stop < begin) {
      throw new FormatError('zip', 'corrupt', `range [${begin}, ${stop}) outside zip entry ${name} (${entry.size} bytes)`);
    }
    this.method(entry);
    const start = await this.dataOffset(entry);
    if (entry.method === 0) return readRange(this.file, start + begin, start + stop);
    const parts = await this.inflate(entry, start, stop);
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (whole.set(p, at), (at += p.length));
    return whole.subarray(begin, stop);
  }
}
