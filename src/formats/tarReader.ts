/**
 * Tar and tar.gz archives read as a stream from a Blob, never unpacked to disk and never held whole: the bytes go
 * through the platform's DecompressionStream('gzip') when the file starts with the gzip magic number (RFC 1952),
 * then through modern-tar's streaming decoder (USTAR / PAX / GNU long names, strict: header checksums and the
 * end-of-archive marker are checked). A pass yields every member in archive order; the caller says which bodies it
 * wants, those are gathered into a Blob (one member at a time), the others are skipped as they stream past.
 *
 * Refused by name (FormatError): a member path that leaves the archive's folder ('path-escape', see
 * archivePath.ts), a gzip stream that inflates more than MAX_GZIP_RATIO times its size ('zip-bomb'), a member
 * body over MAX_MEMBER_BYTES ('too-large'), and corrupt or truncated archives.
 */
import { createTarDecoder, type ParsedTarEntry } from 'modern-tar';
import { safeEntryPath } from './archivePath';
import { FormatError, type FormatName } from './formatError';

export interface TarMember {
  /** The member's path inside the archive, '/'-separated, checked by safeEntryPath. */
  path: string;
  size: number;
  kind: 'file' | 'directory' | 'link' | 'other';
  /** 0-based position among the archive's members. */
  index: number;
}

export interface TarPassOptions {
  signal?: AbortSignal;
  /** Compressed bytes of the archive read so far (for progress). */
  onBytes?: (bytesRead: number) => void;
}

/** A member's body is gathered in memory; above this it is refused (any image or index file is far smaller). */
export const MAX_MEMBER_BYTES = 1 << 30;
/**
 * tar of PNG / JPEG / DICOM gzips to about 1 : 1 (images do not compress again), tar of CSV about 5 : 1. Past
 * 64 MiB of output, a stream inflating over 200 times its input is a gzip bomb, not a dataset.
 */
export const MAX_GZIP_RATIO = 200;
const RATIO_CHECK_AFTER = 64 << 20;

export async function isGzipBlob(blob: Blob): Promise<boolean> {
  if (blob.size < 2) return false;
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

function formatOf(gzipped: boolean): FormatName {
  return gzipped ? 'gzip' : 'tar';
}

/** Counts bytes through a stream. */
function counter(onBytes: (total: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.length;
      onBytes(total);
      controller.enqueue(chunk);
    },
  });
}

/** Why a stream failed, as the lab's error: modern-tar and DecompressionStream throw plain Errors / TypeErrors. */
function asFormatError(error: unknown, gzipped: boolean): unknown {
  if (error instanceof FormatError || (error as { name?: string } | null)?.name === 'AbortError') return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/truncated/i.test(message)) return new FormatError('tar', 'truncated', `truncated tar archive (${message})`);
  if (error instanceof TypeError && gzipped) return new FormatError('gzip', 'corrupt', `corrupt or truncated gzip data (${message})`);
  return new FormatError('tar', 'corrupt', `corrupt tar archive (${message})`);
}

function kindOf(entry: ParsedTarEntry): TarMember['kind'] {
  const type = entry.header.type ?? 'file';
  if (type === 'file') return 'file';
  if (type === 'directory') return 'directory';
  if (type === 'symlink' || type === 'link') return 'link';
  return 'other';
}

/**
 * Reads and drops a body. Not `body.cancel()`: in modern-tar 0.8.6 cancelling a body whose bytes were all queued
 * already (the decoder may run one entry ahead) clears the NEXT entry's body controller, and that body then never
 * receives its bytes (a tar.gz pass hung on the member after a skipped one). Draining costs no copy.
 */
async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  while (!(await reader.read()).done);
}

async function gather(body: ReadableStream<Uint8Array>, size: number): Promise<Blob> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    parts.push(value);
  }
  if (total !== size) throw new FormatError('tar', 'truncated', `tar member ends after ${total} of its ${size} bytes (truncated archive)`);
  return new Blob(parts as BlobPart[]);
}

/**
 * One pass over the archive. Yields each member in order; `want(member)` decides whether its body is read (then
 * `body` holds it, or `refused` says why not). Memory: the member being yielded plus the decoder's 1 MiB buffer.
 * A corrupt or truncated archive ends the pass with a FormatError.
 */
export async function* tarMembers(
  archive: Blob,
  want: (member: TarMember) => boolean,
  options: TarPassOptions = {},
): AsyncGenerator<{ member: TarMember; body?: Blob; refused?: FormatError }> {
  const gzipped = await isGzipBlob(archive);
  const format = formatOf(gzipped);
  let compressedRead = 0;
  let source: ReadableStream<Uint8Array> = archive.stream().pipeThrough(
    counter((n) => {
      compressedRead = n;
      options.onBytes?.(n);
    }),
  );
  if (gzipped) {
    source = source
      .pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)
      .pipeThrough(
        counter((inflated) => {
          if (inflated > RATIO_CHECK_AFTER && inflated > MAX_GZIP_RATIO * Math.max(1, compressedRead)) {
            throw new FormatError('gzip', 'zip-bomb', `gzip stream inflates over ${MAX_GZIP_RATIO} times its size: refused as a gzip bomb`);
          }
        }),
      );
  }
  const entries = source.pipeThrough(createTarDecoder({ strict: true })).getReader();
  let index = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new DOMException('reading the archive was cancelled', 'AbortError');
      let next: ReadableStreamReadResult<ParsedTarEntry>;
      try {
        next = await entries.read();
      } catch (error) {
        throw asFormatError(error, gzipped);
      }
      if (next.done) return;
      const entry = next.value;
      const kind = kindOf(entry);
      const member: TarMember = { path: safeEntryPath(entry.header.name, format === 'gzip' ? 'tar' : format), size: entry.header.size, kind, index: index++ };
      if (kind === 'file' && want(member)) {
        if (member.size > MAX_MEMBER_BYTES) {
          await drain(entry.body);
          yield { member, refused: new FormatError('tar', 'too-large', `tar member of ${member.size.toLocaleString('en-US')} bytes (limit ${MAX_MEMBER_BYTES.toLocaleString('en-US')})`) };
          continue;
        }
        let body: Blob;
        try {
          body = await gather(entry.body, member.size);
        } catch (error) {
          throw asFormatError(error, gzipped);
        }
        yield { member, body };
      } else {
        try {
          await drain(entry.body);
        } catch (error) {
          throw asFormatError(error, gzipped);
        }
        yield { member };
      }
    }
  } finally {
    entries.cancel().catch(() => undefined);
  }
}
