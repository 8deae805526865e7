/**
 * A PNG decoder that hands out one gray row at a time, so a 16-bit 30,000 x 30,000 radiograph decodes in memory
 * of a few rows (PNG spec, 3rd ed., W3C 2023: 5.3 chunk layout, 11.2.2 IHDR, 11.2.3 PLTE, 7.3 / 9 scanline
 * filters, 10 zlib data stream over the concatenated IDAT chunks). Bytes may be pushed in pieces of any size.
 *
 * Why not a library: fast-png, pngjs, UPNG.js and the WASM decoders all return the whole image (plus the whole
 * inflated stream): 2 x 128 MB for an 8,000 x 8,000 16-bit file, 3.6 GB for 30,000 x 30,000 RGBA. None offers a
 * per-row callback. The zlib stream is inflated by the platform (`DecompressionStream('deflate')`, native zlib in
 * browsers and Node: about 3x faster here than fflate's streaming Unzlib); only the chunk walk and the five
 * scanline filters are written here.
 *
 * Not handled: Adam7 interlacing (FormatError 'unsupported'; png16.ts decodes small interlaced files in memory
 * with fast-png). Chunk CRCs are not checked (a corrupt chunk still fails in zlib or the length checks).
 * Alpha is ignored (radiographs saved as RGBA carry an opaque alpha), as in browserDecode.ts.
 */
import { FormatError } from '../formatError';
import type { PngHeader } from './imageHeader';

/** The IHDR facts the row decoder needs: the same record the header sniffer reads. */
export type PngInfo = PngHeader;

/** Receives row `y` (0-based, top first): `width` gray values, 0..255 (8-bit and below, palette) or 0..65535. */
export type PngRowHandler = (gray: Float32Array, y: number) => void;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** PNG 5.3: a chunk's length is at most 2^31 - 1. */
const MAX_CHUNK = 0x7fffffff;

const corrupt = (message: string) => new FormatError('png', 'corrupt', message);

/** ITU-R BT.601 luma, rounded to an integer sample (as browserDecode's rgbaToGray and the former fast-png path). */
function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

export class PngRowDecoder {
  info: PngInfo | null = null;
  private palette: Uint8Array | null = null;
  private lut: Float32Array | null = null;
  private stage: 'signature' | 'header' | 'data' | 'crc' | 'end' = 'signature';
  /** Bytes of the signature / chunk header / CRC gathered so far. */
  private small = new Uint8Array(8);
  private smallLength = 0;
  private chunkType = '';
  private chunkLeft = 0;
  /** IHDR and PLTE data, gathered whole (at most 13 and 768 bytes). */
  private chunkData: number[] = [];
  private sawIdat = false;
  private idatDone = false;
  private inflater: NativeInflater | null = null;
  private rowBytes = 0;
  private bytesPerPixel = 1;
  private current = new Uint8Array(0);
  private previous = new Uint8Array(0);
  /** Filled bytes of `current` + 1 for the filter byte; 0 = waiting for the filter byte. */
  private filled = 0;
  private filter = 0;
  private gray = new Float32Array(0);
  private y = 0;

  constructor(
    private readonly onRow: PngRowHandler,
    private readonly maxPixels = Number.POSITIVE_INFINITY,
  ) {}

  get rowsDone(): number {
    return this.y;
  }

  get finished(): boolean {
    return this.stage === 'end';
  }

  /** Feeds the next bytes of the file (not modified afterwards). Rejects with a FormatError on a malformed file. */
  async push(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length && this.stage !== 'end') {
      if (this.stage === 'data') {
        const take = Math.min(this.chunkLeft, bytes.length - at);
        await this.chunkBody(bytes.subarray(at, at + take));
        at += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) await this.endChunkBody();
        continue;
      }
      const need = this.stage === 'crc' ? 4 : 8;
      const take = Math.min(need - this.smallLength, bytes.length - at);
      this.small.set(bytes.subarray(at, at + take), this.smallLength);
      this.smallLength += take;
      at += take;
      if (this.smallLength < need) continue;
      this.smallLength = 0;
      if (this.stage === 'signature') {
        if (!SIGNATURE.every((b, i) => this.small[i] === b)) throw corrupt('not a PNG file (bad signature)');
        this.stage = 'header';
      } else if (this.stage === 'crc') {
        this.stage = 'header';
      } else {
        await this.startChunk();
      }
    }
  }

  /** Called after the last byte: throws 'truncated' when the image data or the IEND chunk never came. */
  finish(): void {
    if (this.stage !== 'end') this.abort();
    if (this.stage === 'end' && this.info && this.y === this.info.height) return;
    const rows = this.info ? ` after ${this.y} of ${this.info.height} rows` : '';
    throw new FormatError('png', 'truncated', `truncated PNG: the file ends${rows} (no IEND chunk)`);
  }

  private async startChunk(): Promise<void> {
    const view = new DataView(this.small.buffer, 0, 8);
    const length = view.getUint32(0);
    this.chunkType = String.fromCharCode(this.small[4], this.small[5], this.small[6], this.small[7]);
    if (length > MAX_CHUNK) throw corrupt(`PNG chunk length ${length} exceeds 2^31 - 1`);
    if (!/^[A-Za-z]{4}$/.test(this.chunkType)) throw corrupt('corrupt PNG: a chunk type is not four letters');
    if (this.info === null && this.chunkType !== 'IHDR') throw corrupt('corrupt PNG: the first chunk is not IHDR');
    if (this.chunkType === 'IHDR' && this.info !== null) throw corrupt('corrupt PNG: a second IHDR chunk');
    if (this.chunkType === 'IDAT' && this.idatDone) throw corrupt('corrupt PNG: IDAT chunks are not consecutive');
    if (this.chunkType !== 'IDAT' && this.sawIdat) this.idatDone = true;
    if ((this.chunkType === 'IHDR' && length !== 13) || (this.chunkType === 'PLTE' && (length % 3 !== 0 || length > 768))) {
      throw corrupt(`corrupt PNG: ${this.chunkType} chunk of ${length} bytes`);
    }
    if (this.chunkType === 'IDAT') this.sawIdat = true;
    this.chunkData = [];
    this.chunkLeft = length;
    this.stage = 'data';
    if (length === 0) await this.endChunkBody();
  }

  private async chunkBody(part: Uint8Array): Promise<void> {
    if (this.chunkType === 'IDAT') {
      if (!this.inflater) throw corrupt('corrupt PNG: image data before the header');
      await this.inflater.write(part);
    } else if (this.chunkType === 'IHDR' || this.chunkType === 'PLTE') {
      for (const b of part) this.chunkData.push(b);
    }
  }

  private async endChunkBody(): Promise<void> {
    if (this.chunkType === 'IHDR') this.readHeader(Uint8Array.from(this.chunkData));
    else if (this.chunkType === 'PLTE') this.palette = Uint8Array.from(this.chunkData);
    else if (this.chunkType === 'IEND') {
      if (!this.sawIdat || !this.inflater) throw new FormatError('png', 'missing', 'corrupt PNG: no image data (IDAT) before IEND');
      await this.inflater.end();
      if (this.info && this.y < this.info.height) throw new FormatError('png', 'truncated', `truncated PNG: image data ends after ${this.y} of ${this.info.height} rows`);
      this.stage = 'end';
      return;
    }
    this.stage = 'crc';
  }

  private readHeader(data: Uint8Array): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const width = view.getUint32(0);
    const height = view.getUint32(4);
    const [bitDepth, colorType, compression, filterMethod, interlace] = data.subarray(8, 13);
    if (width === 0 || height === 0 || width > MAX_CHUNK || height > MAX_CHUNK) throw corrupt(`image header says ${width} x ${height} pixels (corrupt)`);
    const channels = CHANNELS[colorType];
    if (channels === undefined || !DEPTHS[colorType].includes(bitDepth)) throw corrupt(`corrupt PNG: colour type ${colorType} with bit depth ${bitDepth}`);
    if (compression !== 0 || filterMethod !== 0 || interlace > 1) throw corrupt('corrupt PNG: unknown compression, filter or interlace method');
    this.info = { width, height, bitDepth, colorType, channels, interlaced: interlace === 1 };
    if (interlace === 1) throw new FormatError('png', 'unsupported', `interlaced (Adam7) PNG of ${width} x ${height}: the row decoder reads only non-interlaced files`);
    if (width * height > this.maxPixels) {
      throw new FormatError('png', 'too-large', `image too large: ${width} x ${height} = ${(width * height).toLocaleString('en-US')} pixels (limit ${this.maxPixels.toLocaleString('en-US')})`);
    }
    const bitsPerPixel = channels * bitDepth;
    this.rowBytes = Math.ceil((width * bitsPerPixel) / 8);
    this.bytesPerPixel = Math.max(1, bitsPerPixel >> 3);
    this.current = new Uint8Array(this.rowBytes);
    this.previous = new Uint8Array(this.rowBytes);
    this.gray = new Float32Array(width);
    this.inflater = new NativeInflater((chunk) => this.scanlines(chunk), () => this.y);
  }

  /** Stops the inflater when the caller gives up (an error elsewhere, or a cancel). */
  abort(): void {
    this.inflater?.abort();
  }

  /** Inflated bytes: filter byte + rowBytes per scanline (PNG 7.3). Extra bytes after the last row are ignored. */
  private scanlines(bytes: Uint8Array): void {
    const info = this.info!;
    let at = 0;
    while (at < bytes.length && this.y < info.height) {
      if (this.filled === 0) {
        this.filter = bytes[at++];
        if (this.filter > 4) throw corrupt(`corrupt PNG: filter type ${this.filter} in row ${this.y}`);
        this.filled = 1;
        continue;
      }
      const take = Math.min(this.rowBytes - (this.filled - 1), bytes.length - at);
      this.current.set(bytes.subarray(at, at + take), this.filled - 1);
      this.filled += take;
      at += take;
      if (this.filled - 1 === this.rowBytes) {
        this.unfilter();
        this.toGray();
        this.onRow(this.gray, this.y);
        this.y++;
        this.filled = 0;
        const done = this.previous;
        this.previous = this.current;
        this.current = done;
      }
    }
  }

  /** PNG 9.2: reverses Sub, Up, Average and Paeth against the previous (already unfiltered) row. */
  private unfilter(): void {
    const row = this.current;
    const prior = this.previous;
    const bpp = this.bytesPerPixel;
    const n = this.rowBytes;
    switch (this.filter) {
      case 1:
        for (let i = bpp; i < n; i++) row[i] = (row[i] + row[i - bpp]) & 0xff;
        break;
      case 2:
        for (let i = 0; i < n; i++) row[i] = (row[i] + prior[i]) & 0xff;
        break;
      case 3:
        for (let i = 0; i < bpp; i++) row[i] = (row[i] + (prior[i] >> 1)) & 0xff;
        for (let i = bpp; i < n; i++) row[i] = (row[i] + ((row[i - bpp] + prior[i]) >> 1)) & 0xff;
        break;
      case 4:
        for (let i = 0; i < bpp; i++) row[i] = (row[i] + prior[i]) & 0xff; // Paeth with a = c = 0 picks b
        for (let i = bpp; i < n; i++) {
          const a = row[i - bpp];
          const b = prior[i];
          const c = prior[i - bpp];
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          row[i] = (row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        break;
    }
  }

  private toGray(): void {
    const { width, bitDepth, colorType, channels } = this.info!;
    const row = this.current;
    const gray = this.gray;
    if (bitDepth < 8) {
      const perByte = 8 / bitDepth;
      const mask = (1 << bitDepth) - 1;
      const lut = colorType === 3 ? this.paletteLut() : null;
      for (let x = 0; x < width; x++) {
        const shift = 8 - bitDepth * ((x % perByte) + 1);
        const v = (row[Math.floor(x / perByte)] >> shift) & mask;
        if (lut) {
          if (Number.isNaN(lut[v])) throw corrupt(`corrupt PNG: palette index ${v} outside the palette`);
          gray[x] = lut[v];
        } else gray[x] = (v / mask) * 255;
      }
      return;
    }
    if (bitDepth === 8) {
      if (colorType === 3) {
        const lut = this.paletteLut();
        for (let x = 0; x < width; x++) {
          const v = lut[row[x]];
          if (Number.isNaN(v)) throw corrupt(`corrupt PNG: palette index ${row[x]} outside the palette`);
          gray[x] = v;
        }
      } else if (channels <= 2) {
        for (let x = 0, p = 0; x < width; x++, p += channels) gray[x] = row[p];
      } else {
        for (let x = 0, p = 0; x < width; x++, p += channels) gray[x] = luma(row[p], row[p + 1], row[p + 2]);
      }
      return;
    }
    // 16-bit samples, big-endian (PNG 7.1)
    const step = channels * 2;
    if (channels <= 2) {
      for (let x = 0, p = 0; x < width; x++, p += step) gray[x] = (row[p] << 8) | row[p + 1];
    } else {
      for (let x = 0, p = 0; x < width; x++, p += step) gray[x] = luma((row[p] << 8) | row[p + 1], (row[p + 2] << 8) | row[p + 3], (row[p + 4] << 8) | row[p + 5]);
    }
  }

  /** Gray of each palette entry; NaN for indices past the palette's end. */
  private paletteLut(): Float32Array {
    if (this.lut) return this.lut;
    const palette = this.palette;
    if (!palette) throw new FormatError('png', 'missing', 'corrupt PNG: palette image without a PLTE chunk');
    const lut = new Float32Array(256).fill(Number.NaN);
    for (let i = 0; 3 * i + 2 < palette.length; i++) lut[i] = luma(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]);
    this.lut = lut;
    return lut;
  }
}

const INFLATED_PER_WRITE = 2 << 20;
const MIN_WRITE = 1 << 10;
const MAX_WRITE = 1 << 20;

/**
 * zlib (RFC 1950) through the platform's DecompressionStream('deflate'): IDAT bytes are written with back-pressure,
 * a reader loop hands the inflated bytes to `onData` in order. A failure on either side (bad zlib data, a bad
 * scanline) aborts both, so neither waits forever, and surfaces as a FormatError.
 */
class NativeInflater {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reading: Promise<void>;
  private failure: FormatError | null = null;
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(onData: (bytes: Uint8Array) => void, rowsDone: () => number) {
    const stream = new DecompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>;
    this.writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const fail = (error: unknown, truncated: boolean): FormatError => {
      if (this.failure) return this.failure;
      this.failure = error instanceof FormatError
        ? error
        : truncated
          ? new FormatError('png', 'truncated', `truncated PNG: the compressed image data ends early (after ${rowsDone()} rows)`)
          : new FormatError('png', 'corrupt', `corrupt PNG image data (${error instanceof Error ? error.message : String(error)})`);
      this.writer.abort(this.failure).catch(() => undefined);
      reader.cancel(this.failure).catch(() => undefined);
      return this.failure;
    };
    this.reading = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          this.bytesOut += value.length;
          onData(value);
        }
      } catch (error) {
        throw fail(error, false);
      }
    })();
    this.reading.catch(() => undefined);
    this.fail = fail;
  }

  private readonly fail: (error: unknown, truncated: boolean) => FormatError;

  /**
   * The platform inflates a whole written chunk at once, whatever the reader's pace: a 1 MiB chunk of a mostly black
   * 8,000 x 8,000 image inflated to ~60 MB in Chromium. Chunks are therefore cut so that each inflates to about
   * INFLATED_PER_WRITE at the ratio seen so far (16 KiB until the first bytes come out).
   */
  async write(part: Uint8Array): Promise<void> {
    for (let at = 0; at < part.length; ) {
      if (this.failure) throw this.failure;
      const ratio = this.bytesIn > 0 && this.bytesOut > 0 ? this.bytesOut / this.bytesIn : 128;
      const size = Math.max(MIN_WRITE, Math.min(MAX_WRITE, Math.floor(INFLATED_PER_WRITE / ratio)));
      const piece = part.subarray(at, at + size);
      at += piece.length;
      this.bytesIn += piece.length;
      try {
        await this.writer.write(piece);
      } catch (error) {
        throw this.fail(error, false);
      }
    }
  }

  /** End of the IDAT data: waits until every inflated byte was handed out. */
  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.writer.close();
    } catch (error) {
      throw this.fail(error, true);
    }
    await this.reading;
  }

  abort(): void {
    if (!this.failure) this.fail(new FormatError('png', 'truncated', 'PNG decoding stopped'), true);
  }
}

/** Reads `blob` in 1 MiB slices into `decoder`; stops at IEND. */
export async function pushBlob(blob: Blob, decoder: PngRowDecoder, chunkBytes = 1 << 20): Promise<void> {
  try {
    for (let at = 0; at < blob.size && !decoder.finished; at += chunkBytes) {
      await decoder.push(new Uint8Array(await blob.slice(at, Math.min(blob.size, at + chunkBytes)).arrayBuffer()));
    }
    decoder.finish();
  } catch (error) {
    decoder.abort();
    throw error;
  }
}

/** The same for bytes already in memory. */
export async function pushBytes(bytes: Uint8Array, decoder: PngRowDecoder): Promise<void> {
  try {
    await decoder.push(bytes);
    decoder.finish();
  } catch (error) {
    decoder.abort();
    throw error;
  }
}
