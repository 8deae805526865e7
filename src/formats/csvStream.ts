/**
 * Streaming CSV reader for index files of 100k+ rows (NIH 112,120, CheXpert 223,414), plain or gzipped.
 *
 * papaparse parses chunk by chunk and hands each row to `step`, so no array of 200k row objects is ever built.
 * Papa's own Blob reader needs FileReader (absent in Node and awkward in module workers); instead the Blob's
 * web ReadableStream is decoded (DecompressionStream('gzip') when the bytes start with the gzip magic number,
 * then TextDecoderStream) and offered to Papa through the small event interface its ReadableStreamStreamer
 * reads (`readable`, `read`, `on`, `removeListener`, `pause`, `resume`). The same code runs in the browser,
 * in workers and in Node 20.
 */
import Papa from 'papaparse';
import { FormatError } from './formatError';
import type { CsvRow } from '../run/layoutOptions';

export interface CsvStreamOptions {
  /** Name used in error messages (the file's path). */
  fileName: string;
  /** Columns that must be in the header; a missing one rejects with "<file>: missing column '<name>'". */
  requiredColumns?: readonly string[];
  /** Called once with the header before the first row (also for a header-only file). */
  onHeader?: (fields: string[]) => void;
  /** Called for every data row; rowNumber is 1-based and counts data rows (the header is not a row). */
  onRow: (row: CsvRow, rowNumber: number) => void;
  signal?: AbortSignal;
}

export interface CsvStreamResult {
  fields: string[];
  rows: number;
  /** Rows papaparse found malformed (e.g. wrong field count), as "row N: message". */
  malformed: string[];
}

/** RFC 1952: every gzip member starts with 0x1f 0x8b. */
export async function isGzip(blob: Blob): Promise<boolean> {
  if (blob.size < 2) return false;
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** The Blob's text as a stream of strings, gunzipped when needed. TextDecoder drops a UTF-8 BOM. */
export async function textStreamOf(blob: Blob): Promise<ReadableStream<string>> {
  let bytes: ReadableStream<Uint8Array> = blob.stream();
  if (await isGzip(blob)) {
    bytes = bytes.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  }
  return bytes.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>);
}

type Listener = (arg?: unknown) => void;

/**
 * Adapts a web ReadableStream<string> to the minimal Node-stream surface Papa.parse recognises
 * (papaparse.js: `_input.readable === true && isFunction(_input.read) && isFunction(_input.on)`).
 * Papa parses each 'data' chunk synchronously inside the emit, so the pump loop is naturally back-pressured.
 */
class PapaStreamSource {
  readonly readable = true;
  private listeners = new Map<string, Listener[]>();
  private paused = false;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: ReadableStream<string>, private readonly signal?: AbortSignal) {}

  read(): null {
    return null;
  }

  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }

  removeListener(event: string, fn: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
    return this;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
    this.wake = null;
  }

  private emit(event: string, arg?: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }

  /** Starts pumping on the next microtask, after Papa has attached its listeners. */
  start(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const reader = this.stream.getReader();
    try {
      for (;;) {
        if (this.signal?.aborted) throw new DOMException('CSV reading was cancelled', 'AbortError');
        if (this.paused) await new Promise<void>((resolve) => (this.wake = resolve));
        const { done, value } = await reader.read();
        if (done) break;
        if (value.length > 0) this.emit('data', value);
      }
      this.emit('end');
    } catch (error) {
      this.emit('error', error);
    } finally {
      reader.releaseLock();
    }
  }
}

/**
 * Streams the rows of a CSV Blob (optionally gzipped) through `onRow`. Rejects with a clear Error when a
 * required column is missing or the file is not decodable; malformed rows are reported, not thrown.
 */
export async function streamCsvRows(blob: Blob, options: CsvStreamOptions): Promise<CsvStreamResult> {
  const { fileName, requiredColumns = [], onRow, onHeader, signal } = options;
  const source = new PapaStreamSource(await textStreamOf(blob), signal);
  let fields: string[] | null = null;
  let rows = 0;
  const malformed: string[] = [];
  // Header names as papaparse sees them: the only way to learn the header of a file with no data rows.
  const seenHeader: string[] = [];

  const checkHeader = (found: string[]): Error | null => {
    fields = found.map((f) => f.trim());
    const missing = requiredColumns.find((c) => !fields!.includes(c));
    if (missing !== undefined) return new FormatError('csv', 'missing', `${fileName}: missing column '${missing}'`);
    onHeader?.(fields);
    return null;
  };

  return new Promise<CsvStreamResult>((resolve, reject) => {
    let failed = false;
    /**
     * Cancelling is not a property of the file: an AbortError stays one, and so does what the caller's onRow
     * throws (`asIs`). Anything else the stream or papaparse raises (a corrupt gzip member, bad bytes) is the file's.
     */
    const fail = (error: unknown, parser?: Papa.Parser, asIs = false) => {
      if (failed) return;
      failed = true;
      parser?.abort();
      if (asIs || error instanceof FormatError || (error as { name?: string } | null)?.name === 'AbortError') reject(error);
      else reject(new FormatError('csv', 'corrupt', `${fileName}: cannot read CSV (${error instanceof Error ? error.message : String(error)})`));
    };
    Papa.parse<CsvRow, File>(source as unknown as File, {
      header: true,
      skipEmptyLines: true,
      transformHeader: (h) => {
        seenHeader.push(h.trim());
        return h.trim();
      },
      step: (result, parser) => {
        if (failed) return;
        try {
          if (fields === null) {
            const headerError = checkHeader(result.meta.fields ?? []);
            if (headerError) return fail(headerError, parser);
          }
          rows++;
          for (const e of result.errors) malformed.push(`row ${rows}: ${e.message}`);
          onRow(result.data, rows);
        } catch (error) {
          fail(error, parser, true);
        }
      },
      complete: () => {
        if (failed) return;
        if (fields === null) {
          const found = seenHeader;
          if (found.length === 0) return fail(new FormatError('csv', 'empty', `${fileName}: empty CSV (no header row)`));
          const headerError = checkHeader(found);
          if (headerError) return fail(headerError);
        }
        resolve({ fields: fields ?? [], rows, malformed });
      },
      error: (error: Error) => fail(error),
    });
    source.start();
  });
}
