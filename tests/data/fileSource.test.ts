import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { filesFromDataTransfer, filesFromDirectoryHandle, filesFromFileList, isIgnoredPath, loadDemo } from '../../src/data/fileSource';

// ---- Fakes of the browser's File and Directory Entries API, with Chrome's 100-entries-per-call limit ----

interface FakeEntry { name: string; isFile: boolean; isDirectory: boolean }

function fileEntry(name: string): FakeEntry & { file(ok: (f: File) => void): void } {
  return { name, isFile: true, isDirectory: false, file: (ok) => setTimeout(() => ok(new File([name], name)), 0) };
}

let readCalls = 0;
function dirEntry(name: string, children: FakeEntry[]): FakeEntry & { createReader(): { readEntries(ok: (e: FakeEntry[]) => void): void } } {
  return {
    name, isFile: false, isDirectory: true,
    createReader() {
      let next = 0;
      return {
        readEntries(ok) {
          readCalls++;
          const batch = children.slice(next, next + 100);
          next += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  };
}

/** A DataTransfer whose items vanish when `expire()` is called (as after the drop handler returns). */
function fakeDataTransfer(roots: FakeEntry[], looseFiles: File[] = []) {
  let alive = true;
  const items = [
    ...roots.map((entry) => ({ kind: 'file', webkitGetAsEntry: () => (alive ? entry : null), getAsFile: () => null })),
    ...looseFiles.map((file) => ({ kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => (alive ? file : null) })),
    { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
  ];
  return { dt: { items, files: [] } as unknown as DataTransfer, expire: () => { alive = false; items.length = 0; } };
}

describe('file sources', () => {
  test.each([
    ['a/.DS_Store', true], ['__MACOSX/a/x.png', true], ['a/._x.png', true], ['a/Thumbs.db', true], ['.git/x', true],
    ['a/b/x.png', false], ['a/b.c/x.png', false],
  ])('isIgnoredPath(%s) = %s', (path, ignored) => {
    expect(isIgnoredPath(path)).toBe(ignored);
  });

  test('drop: recursion keeps calling readEntries until [], root name kept, entries grabbed synchronously', async () => {
    const many = Array.from({ length: 250 }, (_, i) => fileEntry(`IM-${1000 + i}-0001.jpeg`));
    const root = dirEntry('chest_xray', [
      dirEntry('train', [dirEntry('NORMAL', many), dirEntry('PNEUMONIA', [fileEntry('person1_virus_1.jpeg'), fileEntry('.DS_Store')])]),
      fileEntry('Thumbs.db'),
    ]);
    const { dt, expire } = fakeDataTransfer([root], [new File(['x'], 'loose.png')]);
    readCalls = 0;
    const pending = filesFromDataTransfer(dt);
    expire(); // the handler returned: items are gone, the walk must not need them any more
    const files = await pending;
    expect(files).toHaveLength(252);
    expect(files.filter((f) => f.path.startsWith('chest_xray/train/NORMAL/'))).toHaveLength(250);
    expect(files.map((f) => f.path)).toContain('chest_xray/train/PNEUMONIA/person1_virus_1.jpeg');
    expect(files.map((f) => f.path)).toContain('loose.png');
    expect(files.some((f) => isIgnoredPath(f.path))).toBe(false);
    expect(readCalls).toBeGreaterThanOrEqual(4 + 2); // NORMAL needs 3 batches + the final [], 4 folders end with []
    expect(await files[0].file.text()).toBe(files[0].path.split('/').pop());
    expect(files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort());
  });

  test('<input webkitdirectory>: webkitRelativePath is the path; plain files fall back to their name', async () => {
    const withPath = (rel: string) => Object.assign(new File(['x'], rel.split('/').pop()!), { webkitRelativePath: rel });
    const files = await filesFromFileList([withPath('set/val/NORMAL/b.png'), withPath('set/train/NORMAL/a.png'), withPath('set/.hidden/c.png'), new File(['y'], 'solo.png')]);
    expect(files.map((f) => f.path)).toEqual(['set/train/NORMAL/a.png', 'set/val/NORMAL/b.png', 'solo.png']);
  });

  test('directory picker: recursion via values(), root name first', async () => {
    const file = (name: string) => ({ kind: 'file', name, getFile: async () => new File([name], name) });
    const dir = (name: string, children: unknown[]) => ({ kind: 'directory', name, async *values() { yield* children; } });
    const handle = dir('picked', [dir('NORMAL', [file('a.png'), file('.DS_Store')]), dir('PNEUMONIA', [file('b.png')])]) as unknown as FileSystemDirectoryHandle;
    const files = await filesFromDirectoryHandle(handle);
    expect(files.map((f) => f.path)).toEqual(['picked/NORMAL/a.png', 'picked/PNEUMONIA/b.png']);
  });

  test('demo: manifest + every file fetched from the same base URL into named Files', async () => {
    const requested: string[] = [];
    const fetchFromPublic = (async (url: string) => {
      requested.push(url);
      try {
        return new Response(readFileSync(`public/${decodeURIComponent(url)}`));
      } catch {
        return new Response('missing', { status: 404, statusText: 'Not Found' });
      }
    }) as typeof fetch;
    const demo = await loadDemo('demo/', { fetch: fetchFromPublic });
    expect(demo.name).toBe('Kermany pediatric pneumonia sample (demo)');
    expect(demo.files).toHaveLength(500);
    expect(requested[0]).toBe('demo/manifest.json');
    expect(requested.every((u) => u.startsWith('demo/'))).toBe(true);
    const first = demo.files[0];
    expect(first.path).toBe('chest_xray_demo/NORMAL/IM-0115-0001.jpeg');
    expect(first.file.name).toBe('IM-0115-0001.jpeg');
    expect(new Uint8Array(await first.file.arrayBuffer())).toEqual(new Uint8Array(readFileSync(`public/demo/${first.path}`)));
    await expect(loadDemo('nowhere/', { fetch: fetchFromPublic })).rejects.toThrow('Demo dataset: nowhere/manifest.json answered 404 Not Found');
  });
});
