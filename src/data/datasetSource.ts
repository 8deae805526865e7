/**
 * What an ingest reads from: the files as dropped or chosen, with every .zip, .tar, .tar.gz / .tgz among them
 * expanded in place, without unpacking anything to disk. Two steps, as archives need:
 *   1. `openDatasetSource(files)` lists every file first (paths and sizes, for layout detection and parsing). Zip:
 *      the central directory. Tar: one streaming pass over the archive, which also keeps index-like members
 *      (CSV / TXT / JSON lists) in memory so layouts can read them.
 *   2. `source.read(entries)` then yields the bytes of the entries the ingest wants, in the order that is cheap for
 *      their container: dropped files as they are, zip members by offset (stored: a slice of the archive, deflated:
 *      inflated alone), tar members in a second streaming pass in archive order. Memory: one member per pending
 *      `next()` call, so bounded by the largest member, not by the archive.
 *
 * Keys. A member's path is its path inside the archive ("images/00000001_000.png"), whatever folder the archive
 * was dropped from, so adding the same archive again (after a reload, or with its siblings) finds the images already
 * stored. Only when that path is also the path of another dropped file or of a member of another archive is it
 * prefixed with its archive's name without extension ("images_001/images/x.png"); a note says so.
 * Hidden and system files (.DS_Store, Thumbs.db, __MACOSX/, ._*) inside archives are skipped silently, as in folders.
 */
import { FormatError } from '../formats/formatError';
import { tarMembers, type TarMember } from '../formats/tarReader';
import { ZipReader, type ZipEntry } from '../formats/zipReader';
import { ArchiveMemberFile, loadedBlob } from './archiveMember';
import { isIgnoredPath } from './fileSource';
import type { FileEntry, Problem } from '../run/datasets';

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

/** By name: .zip, .tar, .tar.gz, .tgz (any case). A plain .gz (a gzipped CSV) is not an archive. */
export function archiveFormatOf(path: string): ArchiveFormat | null {
  const name = path.toLowerCase();
  if (name.endsWith('.zip')) return 'zip';
  if (name.endsWith('.tar')) return 'tar';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  return null;
}

export function isArchivePath(path: string): boolean {
  return archiveFormatOf(path) !== null;
}

/** Members kept in memory by the tar listing pass: index files the layouts read (NIH's 8 MB CSV, CheXpert's 26 MB). */
const INDEX_EXTENSIONS = new Set(['csv', 'tsv', 'txt', 'json', 'gz']);
const MAX_KEPT_INDEX_BYTES = 512 << 20;

function isIndexLike(path: string, size: number): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && INDEX_EXTENSIONS.has(path.slice(dot + 1).toLowerCase()) && size <= MAX_KEPT_INDEX_BYTES;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function archiveStem(path: string): string {
  return baseName(path).replace(/\.(zip|tar|tar\.gz|tgz)$/i, '');
}

export interface ScanProgress {
  /** The archive being listed. */
  archive: string;
  bytesRead: number;
  bytesTotal: number;
  members: number;
}

export interface OpenSourceOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

export type ReadItem = { entry: { path: string; file: Blob }; blob: Blob } | { entry: { path: string; file: Blob }; error: string };

export interface DatasetSource {
  /** Every file, archives expanded, sorted by path: what layouts detect and parse. */
  files: FileEntry[];
  /** Archives that could not be read at all (refused by name, corrupt), members skipped with a reason. */
  problems: Problem[];
  /** Sentences about the expansion ("images_001.tar.gz: 4,999 images"). */
  notes: string[];
  /** True when any archive was expanded. */
  expanded: boolean;
  /**
   * The bytes of `wanted` (entries whose `file` came from `files`), each yielded once, in the cheapest order.
   * Several loops may pull from the one iterator: calls to next() are served one at a time.
   */
  read(wanted: readonly { path: string; file: Blob }[], signal?: AbortSignal): AsyncIterator<ReadItem>;
}

/** Where a listed file's bytes come from. */
type Origin =
  | { kind: 'plain' }
  | { kind: 'zip'; archive: number; entry: ZipEntry }
  | { kind: 'tar'; archive: number; member: TarMember };

interface OpenArchive {
  path: string;
  file: Blob;
  format: ArchiveFormat;
  zip?: ZipReader;
}

interface Listed {
  path: string;
  file: Blob;
  origin: Origin;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function listZip(archive: OpenArchive, index: number, out: Listed[], problems: Problem[], signal?: AbortSignal): Promise<void> {
  const zip = await ZipReader.open(archive.file);
  archive.zip = zip;
  const seen = new Set<string>();
  for (const entry of zip.list) {
    if (entry.isDirectory || entry.path === '' || isIgnoredPath(entry.path)) continue;
    if (seen.has(entry.path)) {
      problems.push({ path: `${archive.path}: ${entry.path}`, reason: 'appears twice in the zip; the first copy is used' });
      continue;
    }
    seen.add(entry.path);
    const name = baseName(entry.path);
    // Index files are read now (layouts read them); images only when the ingest asks (a stored one is then a slice
    // of the archive, nothing copied), so listing a 100k-member zip reads its central directory alone.
    const file = isIndexLike(entry.path, entry.size)
      ? new File([await zip.entryBlob(entry, signal)], name)
      : new ArchiveMemberFile(name, entry.size, () => zip.entryBlob(entry, signal));
    out.push({ path: entry.path, file, origin: { kind: 'zip', archive: index, entry } });
  }
}

/** The first tar pass: every member's path and size; index-like members kept. */
async function listTar(archive: OpenArchive, index: number, out: Listed[], problems: Problem[], options: OpenSourceOptions): Promise<void> {
  const seen = new Set<string>();
  let members = 0;
  const report = (bytesRead: number) => options.onProgress?.({ archive: archive.path, bytesRead, bytesTotal: archive.file.size, members });
  const wanted = (m: TarMember) => !isIgnoredPath(m.path) && !seen.has(m.path) && isIndexLike(m.path, m.size);
  for await (const { member, body, refused } of tarMembers(archive.file, wanted, { signal: options.signal, onBytes: report })) {
    members++;
    if (member.kind !== 'file' || member.path === '' || isIgnoredPath(member.path)) {
      if (member.kind === 'link' || member.kind === 'other') problems.push({ path: `${archive.path}: ${member.path}`, reason: `tar member is a ${member.kind === 'link' ? 'link' : 'special file'}, not a file: skipped` });
      continue;
    }
    if (seen.has(member.path)) {
      problems.push({ path: `${archive.path}: ${member.path}`, reason: 'appears twice in the tar; the first copy is used' });
      continue;
    }
    seen.add(member.path);
    if (refused) {
      problems.push({ path: `${archive.path}: ${member.path}`, reason: refused.message });
      continue;
    }
    const name = baseName(member.path);
    // Read again on demand only if someone reads it outside the ingest: a pass up to this member.
    const file = body
      ? new File([body], name)
      : new ArchiveMemberFile(name, member.size, () => readTarMember(archive.file, member, options.signal));
    out.push({ path: member.path, file, origin: { kind: 'tar', archive: index, member } });
  }
}

async function readTarMember(archive: Blob, target: TarMember, signal?: AbortSignal): Promise<Blob> {
  for await (const { member, body, refused } of tarMembers(archive, (m) => m.index === target.index, { signal })) {
    if (member.index !== target.index) continue;
    if (refused) throw refused;
    if (body) return body;
  }
  throw new FormatError('tar', 'truncated', `tar member ${target.path} is no longer in the archive`);
}

/** Expands the archives among `files`; other files pass through unchanged. Never throws for a bad archive: it is a problem. */
export async function openDatasetSource(files: readonly FileEntry[], options: OpenSourceOptions = {}): Promise<DatasetSource> {
  const listed: Listed[] = [];
  const problems: Problem[] = [];
  const notes: string[] = [];
  const archives: OpenArchive[] = [];
  for (const f of files) {
    const format = archiveFormatOf(f.path);
    if (format === null) listed.push({ path: f.path, file: f.file, origin: { kind: 'plain' } });
    else archives.push({ path: f.path, file: f.file, format });
  }
  for (const [index, archive] of archives.entries()) {
    if (options.signal?.aborted) throw new DOMException('Ingest cancelled while reading the archives.', 'AbortError');
    const members: Listed[] = [];
    try {
      if (archive.format === 'zip') await listZip(archive, index, members, problems, options.signal);
      else await listTar(archive, index, members, problems, options);
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'AbortError') throw error;
      problems.push({ path: archive.path, reason: `archive not read: ${messageOf(error)}` });
      continue;
    }
    listed.push(...members);
    notes.push(`${baseName(archive.path)}: ${members.length.toLocaleString('en-US')} files read from the ${archive.format} archive without unpacking it.`);
  }
  uniquePaths(listed, archives, notes);
  listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const origins = new Map<Blob, Origin>(listed.map((l) => [l.file, l.origin]));
  return {
    files: listed.map(({ path, file }) => ({ path, file })),
    problems,
    notes,
    expanded: archives.length > 0,
    read: (wanted, signal) => serialised(readInOrder(wanted, origins, archives, signal)),
  };
}

/** Members whose path is taken by another file get their archive's stem in front (see the header comment). */
function uniquePaths(listed: Listed[], archives: OpenArchive[], notes: string[]): void {
  const owners = new Map<string, Set<number | 'plain'>>();
  for (const l of listed) {
    const owner = l.origin.kind === 'plain' ? 'plain' : l.origin.archive;
    const set = owners.get(l.path) ?? new Set();
    set.add(owner);
    owners.set(l.path, set);
  }
  const renamed = new Map<number, number>();
  for (const l of listed) {
    if (l.origin.kind === 'plain' || (owners.get(l.path)?.size ?? 0) < 2) continue;
    l.path = `${archiveStem(archives[l.origin.archive].path)}/${l.path}`;
    renamed.set(l.origin.archive, (renamed.get(l.origin.archive) ?? 0) + 1);
  }
  for (const [archive, count] of renamed) {
    const stem = archiveStem(archives[archive].path);
    notes.push(`${count.toLocaleString('en-US')} files of ${baseName(archives[archive].path)} have the same path as another dropped file: they are kept as ${stem}/<path>.`);
  }
}

async function* readInOrder(
  wanted: readonly { path: string; file: Blob }[],
  origins: Map<Blob, Origin>,
  archives: OpenArchive[],
  signal?: AbortSignal,
): AsyncGenerator<ReadItem> {
  const byZip = new Map<number, { entry: { path: string; file: Blob }; zip: ZipEntry }[]>();
  const byTar = new Map<number, Map<number, { path: string; file: Blob }>>();
  for (const entry of wanted) {
    const origin = origins.get(entry.file) ?? { kind: 'plain' as const };
    if (origin.kind === 'plain') {
      // An archive member that reached here without its origin is loaded, never handed on unread.
      try {
        yield { entry, blob: await loadedBlob(entry.file) };
      } catch (error) {
        yield { entry, error: messageOf(error) };
      }
    } else if (origin.kind === 'zip') {
      const list = byZip.get(origin.archive) ?? [];
      list.push({ entry, zip: origin.entry });
      byZip.set(origin.archive, list);
    } else {
      const members = byTar.get(origin.archive) ?? new Map();
      members.set(origin.member.index, entry);
      byTar.set(origin.archive, members);
    }
  }
  for (const [index, list] of byZip) {
    const zip = archives[index].zip!;
    list.sort((a, b) => a.zip.localHeaderOffset - b.zip.localHeaderOffset);
    for (const { entry, zip: member } of list) {
      if (signal?.aborted) return;
      try {
        yield { entry, blob: new File([await zip.entryBlob(member, signal)], baseName(entry.path)) };
      } catch (error) {
        yield { entry, error: messageOf(error) };
      }
    }
  }
  for (const [index, members] of byTar) {
    const archive = archives[index];
    const left = new Map(members);
    try {
      for await (const { member, body, refused } of tarMembers(archive.file, (m) => members.has(m.index), { signal })) {
        const entry = members.get(member.index);
        if (!entry) continue;
        left.delete(member.index);
        if (refused) yield { entry, error: refused.message };
        else if (body) yield { entry, blob: new File([body], baseName(entry.path)) };
        if (left.size === 0) break;
      }
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'AbortError' || signal?.aborted) return;
      const why = `${baseName(archive.path)} could not be read to the end: ${messageOf(error)}`;
      for (const entry of left.values()) yield { entry, error: why };
      continue;
    }
    for (const entry of left.values()) yield { entry, error: `not found again in ${baseName(archive.path)} (the archive changed since it was listed?)` };
  }
}

/** An iterator whose next() calls run one after another, so several loops can share one archive pass. */
function serialised<T>(source: AsyncGenerator<T>): AsyncIterator<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    next: () => {
      const result = chain.then(() => source.next());
      chain = result.catch(() => undefined);
      return result;
    },
    return: async (value?: unknown) => {
      await chain;
      return source.return(value as T);
    },
  };
}
