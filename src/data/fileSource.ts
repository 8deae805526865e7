/**
 * Turns what the user gives (a dropped folder, an <input webkitdirectory>, a directory picker, the bundled demo)
 * into FileEntry[]: paths relative to the chosen root, '/'-separated, the root folder's name kept as the first
 * segment, sorted by path. Every source goes through the same ingest afterwards.
 */
import type { FileEntry } from './types';

const IGNORED_NAMES = new Set(['__macosx', 'thumbs.db', 'desktop.ini']);

/** Dotfiles (.DS_Store, ._x.png resource forks, .git), macOS zip debris and Windows thumbnails. */
export function isIgnoredPath(path: string): boolean {
  return path.split('/').some((s) => s.startsWith('.') || IGNORED_NAMES.has(s.toLowerCase()));
}

function finish(entries: FileEntry[]): FileEntry[] {
  return entries.filter((e) => !isIgnoredPath(e.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---- Drag and drop (File and Directory Entries API) ----

function readEntriesOnce(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: FileEntry[]): Promise<void> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
  if (isIgnoredPath(entry.name)) return;
  if (entry.isFile) {
    out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // Chrome hands out at most 100 entries per readEntries call: keep asking until it answers [].
  for (;;) {
    const batch = await readEntriesOnce(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walkEntry(child, path, out);
  }
}

/** Files and folders dropped on the page. Call it inside the drop handler, before any await. */
export function filesFromDataTransfer(dt: DataTransfer): Promise<FileEntry[]> {
  // DataTransfer items are emptied once the event handler returns: take the entries synchronously, now.
  const roots: (FileSystemEntry | File)[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    const file = entry ? null : item.getAsFile();
    if (entry) roots.push(entry);
    else if (file) roots.push(file);
  }
  if (roots.length === 0 && dt.files) roots.push(...Array.from(dt.files));
  return (async () => {
    const out: FileEntry[] = [];
    for (const root of roots) {
      if ('isFile' in root) await walkEntry(root, '', out);
      else out.push({ path: root.name, file: root });
    }
    return finish(out);
  })();
}

// ---- <input type="file" webkitdirectory> ----

export async function filesFromFileList(list: FileList | File[]): Promise<FileEntry[]> {
  return finish(Array.from(list).map((file) => ({ path: file.webkitRelativePath || file.name, file })));
}

// ---- showDirectoryPicker() (File System Access API) ----

/** lib.dom types the async iterator only under DOM.AsyncIterable; this is the part we use. */
type IterableDirectoryHandle = FileSystemDirectoryHandle & {
  values(): AsyncIterable<FileSystemDirectoryHandle | FileSystemFileHandle>;
};

async function walkHandle(handle: FileSystemDirectoryHandle, prefix: string, out: FileEntry[]): Promise<void> {
  for await (const child of (handle as IterableDirectoryHandle).values()) {
    const path = `${prefix}/${child.name}`;
    if (isIgnoredPath(child.name)) continue;
    if (child.kind === 'file') out.push({ path, file: await (child as FileSystemFileHandle).getFile() });
    else await walkHandle(child as FileSystemDirectoryHandle, path, out);
  }
}

export async function filesFromDirectoryHandle(handle: FileSystemDirectoryHandle): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  await walkHandle(handle, handle.name, out);
  return finish(out);
}

// ---- The bundled demo (public/demo/) ----

export interface DemoManifest {
  name: string;
  /** Paths relative to the demo folder, root folder first: "chest_xray_demo/NORMAL/IM-0115-0001.jpeg". */
  files: string[];
}

export interface DemoOptions {
  fetch?: typeof fetch;
  /** Parallel downloads; same origin, small files. */
  concurrency?: number;
}

async function fetchOk(fetchImpl: typeof fetch, url: string): Promise<Response> {
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`Demo dataset: ${url} answered ${response.status} ${response.statusText}`);
  return response;
}

export async function loadDemo(baseUrl = 'demo/', options: DemoOptions = {}): Promise<{ name: string; files: FileEntry[] }> {
  const fetchImpl = options.fetch ?? fetch;
  const manifest = (await (await fetchOk(fetchImpl, `${baseUrl}manifest.json`)).json()) as DemoManifest;
  if (typeof manifest.name !== 'string' || !Array.isArray(manifest.files)) {
    throw new Error(`Demo dataset: ${baseUrl}manifest.json must be {"name": string, "files": string[]}`);
  }
  const files: FileEntry[] = new Array(manifest.files.length);
  let next = 0;
  const worker = async () => {
    while (next < manifest.files.length) {
      const index = next++;
      const path = manifest.files[index];
      const url = baseUrl + path.split('/').map(encodeURIComponent).join('/');
      const blob = await (await fetchOk(fetchImpl, url)).blob();
      const name = path.slice(path.lastIndexOf('/') + 1);
      files[index] = { path, file: new File([blob], name, { type: blob.type }) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return { name: manifest.name, files: finish(files) };
}
