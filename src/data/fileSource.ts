/**
 * Turns what the user gives (a dropped folder, an <input webkitdirectory>, a directory picker, the bundled demo)
 * into FileEntry[]: paths relative to the chosen root, '/'-separated, the root folder's name kept as the first
 * segment, sorted by path. Every source goes through the same ingest afterwards.
 */
import type { FileEntry } from '../run/datasets';

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

/** The part of DataTransferItem that Chromium adds (File System Access API); absent from lib.dom and other browsers. */
type HandleItem = DataTransferItem & { getAsFileSystemHandle?: () => Promise<FileSystemHandle | null> };

/**
 * The FileSystemDirectoryHandle of a single dropped folder, where the browser gives one (Chromium), else undefined.
 * Like filesFromDataTransfer, call it synchronously inside the drop handler. The handle lets an interrupted ingest
 * resume after a reload (src/storage/pendingIngests.ts); the files themselves are still read from the entries.
 */
export function directoryHandleFromDataTransfer(dt: DataTransfer): Promise<FileSystemDirectoryHandle | undefined> {
  const items = Array.from(dt.items ?? []).filter((item) => item.kind === 'file') as HandleItem[];
  // Several dropped things have no single root folder to come back to.
  if (items.length !== 1 || typeof items[0].getAsFileSystemHandle !== 'function') return Promise.resolve(undefined);
  let pending: Promise<FileSystemHandle | null>;
  try {
    pending = items[0].getAsFileSystemHandle();
  } catch {
    return Promise.resolve(undefined);
  }
  // A refused or failed handle only costs the resume: the drop itself goes on from the entries.
  return pending.then(
    (handle) => (handle?.kind === 'directory' ? (handle as FileSystemDirectoryHandle) : undefined),
    () => undefined,
  );
}

/**
 * The FileSystemFileHandles of dropped archive files (.zip, .tar, .tar.gz, .tgz), where the browser gives them
 * (Chromium): kept in IndexedDB, they let an archive ingest resume after a reload by reading the archives again
 * (`filesFromFileHandles`). Call it synchronously inside the drop handler, like filesFromDataTransfer. Folders and
 * other files give no handle here; a refused or failed handle gives none.
 */
export function archiveHandlesFromDataTransfer(dt: DataTransfer): Promise<FileSystemFileHandle[]> {
  const items = Array.from(dt.items ?? []).filter((item) => item.kind === 'file') as HandleItem[];
  const pending: Promise<FileSystemHandle | null>[] = [];
  for (const item of items) {
    const file = item.getAsFile?.();
    if (!file || !/\.(zip|tar|tgz|tar\.gz)$/i.test(file.name) || typeof item.getAsFileSystemHandle !== 'function') continue;
    try {
      pending.push(item.getAsFileSystemHandle().catch(() => null));
    } catch {
      // This item gives no handle; the others still may.
    }
  }
  return Promise.all(pending).then((handles) => handles.filter((h): h is FileSystemFileHandle => h?.kind === 'file'));
}

/** Archive (or any) files again from their handles, as dropped: path = the file's name. Needs read permission. */
export async function filesFromFileHandles(handles: readonly FileSystemFileHandle[]): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const handle of handles) out.push({ path: handle.name, file: await handle.getFile() });
  return finish(out);
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

type DirectoryPicker = (options?: { id?: string; mode?: 'read' | 'readwrite' }) => Promise<FileSystemDirectoryHandle>;

function directoryPicker(): DirectoryPicker | undefined {
  const picker = (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  return typeof picker === 'function' ? picker : undefined;
}

/** Whether this browser has showDirectoryPicker (Chromium); elsewhere <input webkitdirectory> is the way in. */
export function canPickDirectory(): boolean {
  return directoryPicker() !== undefined;
}

/**
 * Asks the user for a folder (call it from a click or key handler: it needs the user's gesture). Undefined when
 * the user closes the picker without choosing: that is not an error.
 */
export async function pickDirectory(): Promise<FileSystemDirectoryHandle | undefined> {
  const picker = directoryPicker();
  if (!picker) throw new Error('This browser cannot open a folder picker.');
  try {
    // `id` makes the picker reopen where the last dataset was chosen.
    return await picker({ id: 'cxr-dataset', mode: 'read' });
  } catch (error) {
    if ((error as { name?: string } | null)?.name === 'AbortError') return undefined;
    throw error;
  }
}

/** The permission a handle kept in IndexedDB needs again after a reload; call it inside a click handler. */
export async function requestReadPermission(handle: FileSystemDirectoryHandle): Promise<void> {
  type Permissible = { requestPermission?: (d: { mode: 'read' }) => Promise<PermissionState> };
  const request = (handle as unknown as Permissible).requestPermission;
  // Browsers without the method (an origin-private folder needs none) read the handle as it is.
  if (typeof request !== 'function') return;
  const state = await request.call(handle, { mode: 'read' });
  if (state !== 'granted') throw new Error(`Reading the folder "${handle.name}" was not allowed (${state}); add the folder again to resume.`);
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
