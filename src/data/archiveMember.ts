/**
 * A file inside an archive, as a Blob whose bytes are produced only when read (inflating a zip entry, or streaming
 * a tar up to the member). It lets archive members stand in the same FileEntry lists as dropped files: layouts see
 * their path, name and size, and any code that does read one gets the right bytes. The ingest never reads them
 * this way: it asks the DatasetSource (datasetSource.ts), which reads members in archive order, one pass per tar.
 *
 * The bytes live outside the Blob's own (empty) storage, so a member must not be posted to another thread,
 * wrapped in `new Blob([member])` or handed to a platform API such as createImageBitmap: read it first (`load()`).
 */

export class ArchiveMemberFile extends Blob {
  readonly name: string;
  readonly lastModified = 0;
  private readonly declaredSize: number;
  private readonly contentType: string;

  constructor(
    /** The member's base name. */
    name: string,
    size: number,
    /** Produces the member's whole content. */
    private readonly loader: () => Promise<Blob>,
    type = '',
  ) {
    super([]);
    this.name = name;
    this.declaredSize = size;
    this.contentType = type;
  }

  override get size(): number {
    return this.declaredSize;
  }

  override get type(): string {
    return this.contentType;
  }

  /** The member's content as an ordinary Blob (safe to post to a worker). */
  async load(): Promise<Blob> {
    const blob = await this.loader();
    if (blob.size !== this.declaredSize) throw new Error(`archive member ${this.name}: read ${blob.size} bytes, expected ${this.declaredSize}`);
    return blob;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.load()).arrayBuffer();
  }

  override async text(): Promise<string> {
    return (await this.load()).text();
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override slice(start?: number, end?: number, contentType?: string): Blob {
    return new ArchiveMemberSlice(this, start, end, contentType);
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | undefined;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        reader ??= (await this.load()).stream().getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader?.cancel(reason),
    });
  }
}

/** `member.slice(...)`: a lazily read part of a lazily read member. */
class ArchiveMemberSlice extends ArchiveMemberFile {
  constructor(member: ArchiveMemberFile, start?: number, end?: number, contentType?: string) {
    const size = member.size;
    const from = start === undefined ? 0 : start < 0 ? Math.max(size + start, 0) : Math.min(start, size);
    const to = end === undefined ? size : end < 0 ? Math.max(size + end, 0) : Math.min(end, size);
    super(member.name, Math.max(0, to - from), async () => (await member.load()).slice(from, Math.max(from, to)), contentType ?? '');
  }
}

/** The readable Blob behind a FileEntry's file: an archive member is loaded, anything else is itself. */
export async function loadedBlob(file: Blob): Promise<Blob> {
  return file instanceof ArchiveMemberFile ? file.load() : file;
}
