/**
 * Test helpers for archives: real radiographs from ../shared/data (Kermany JPEGs, NIH PNGs with their CSV rows)
 * packed in the test with fflate (zip) and modern-tar + CompressionStream (tar, tar.gz), and a fake decoder that
 * records a digest of every byte string it is given, so a test can check the bytes that reached the decoder are
 * exactly the files that went into the archive.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { packTar } from 'modern-tar';
import { REPO_ROOT, sharedDataFile } from '../sharedData';

/**
 * `count` real Kermany radiographs of a class (224 x 224 JPEG), as name -> bytes: the committed e2e fixture
 * (e2e/fixtures/xray-folder, 16 + 6 per class), so these tests need no shared data.
 */
export function kermany(cls: 'NORMAL' | 'PNEUMONIA', count: number, from = 0): Map<string, Uint8Array> {
  const dirs = ['train', 'val'].map((split) => join(REPO_ROOT, 'e2e', 'fixtures', 'xray-folder', split, cls));
  const files = dirs.flatMap((dir) => readdirSync(dir).filter((n) => n.endsWith('.jpeg')).sort().map((n) => join(dir, n)));
  if (from + count > files.length) throw new Error(`only ${files.length} ${cls} radiographs in e2e/fixtures/xray-folder`);
  return new Map(files.slice(from, from + count).map((f) => [f.slice(f.lastIndexOf('/') + 1), new Uint8Array(readFileSync(f))]));
}

/** The NIH sample's PNGs (1024 x 1024, from the shared real data) and its Data_Entry CSV restricted to their rows. */
export function nihSample(count: number): { images: Map<string, Uint8Array>; csv: Uint8Array } {
  const dir = sharedDataFile('nih-sample', 'images');
  const names = readdirSync(dir).filter((n) => n.endsWith('.png')).sort().slice(0, count);
  const lines = readFileSync(sharedDataFile('nih-sample', 'Data_Entry_2017_v2020.csv'), 'utf8').split('\n');
  const rows = lines.filter((l, i) => i === 0 || names.includes(l.split(',')[0]));
  return { images: new Map(names.map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))])), csv: new TextEncoder().encode(rows.join('\n') + '\n') };
}

export const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A zip of path -> bytes; `stored` paths are not compressed (as most zips store PNG / JPEG), others deflated. */
export function zipOf(files: Record<string, Uint8Array>, stored: (path: string) => boolean = () => false): Uint8Array {
  const zippable: Zippable = {};
  for (const [path, bytes] of Object.entries(files)) zippable[path] = [bytes, { level: stored(path) ? 0 : 6 }];
  return zipSync(zippable);
}

export async function tarOf(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  return packTar(Object.entries(files).map(([name, body]) => ({ header: { name, size: body.length }, body })));
}

export async function gzipOf(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const asFile = (bytes: Uint8Array, name: string) => new File([bytes as BlobPart], name);

/** A decoder that records the digest and name of every blob it gets and returns pixels = first byte. */
export function recordingDecoder() {
  const seen: { name: string; digest: string; size: number }[] = [];
  const decode = async (blob: Blob, size: number) => {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    seen.push({ name: (blob as File).name ?? '', digest: sha(bytes), size: bytes.length });
    return new Uint8Array(size * size).fill(bytes[0] ?? 0);
  };
  return { decode, seen };
}

/**
 * A Blob that streams in 64 KiB chunks, as a file on disk does (Node streams an in-memory Blob as one chunk), and
 * counts how many bytes its stream() handed out, to see how far a pass has read.
 */
export class CountingBlob extends Blob {
  bytesStreamed = 0;

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let at = 0;
    return new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        pull: async (controller) => {
          if (at >= this.size) return controller.close();
          const chunk = new Uint8Array(await this.slice(at, Math.min(this.size, at + (1 << 16))).arrayBuffer());
          at += chunk.length;
          this.bytesStreamed += chunk.length;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
  }
}
