/** directoryHandleFromDataTransfer: the handle of one dropped folder, read synchronously in the drop handler. */
import { describe, expect, test } from 'vitest';
import { directoryHandleFromDataTransfer } from '../../src/data/fileSource';

type Handle = { kind: 'directory' | 'file'; name: string };

/** Items that forget their handle once the drop handler returned, as Chromium's do. */
function dropOf(handles: (Handle | null | Error)[], extra: object[] = []) {
  let alive = true;
  const items = [
    ...handles.map((h) => ({
      kind: 'file',
      getAsFileSystemHandle: () => {
        if (!alive) throw new Error('DataTransfer item read after the drop handler returned');
        return h instanceof Error ? Promise.reject(h) : Promise.resolve(h);
      },
    })),
    ...extra,
  ];
  return { dt: { items } as unknown as DataTransfer, expire: () => (alive = false) };
}

describe('directoryHandleFromDataTransfer', () => {
  test('one dropped folder gives its handle, taken before the handler returns', async () => {
    const folder: Handle = { kind: 'directory', name: 'images_001' };
    const { dt, expire } = dropOf([folder], [{ kind: 'string' }]);
    const pending = directoryHandleFromDataTransfer(dt);
    expire();
    expect(await pending).toBe(folder);
  });

  test.each([
    ['a single file', [{ kind: 'file', name: 'Data_Entry_2017.csv' } as Handle]],
    ['two folders (no single root to resume)', [{ kind: 'directory', name: 'a' } as Handle, { kind: 'directory', name: 'b' } as Handle]],
    ['a refused handle', [new Error('NotAllowedError')]],
    ['no handle', [null]],
  ])('%s gives none, and no error', async (_what, handles) => {
    expect(await directoryHandleFromDataTransfer(dropOf(handles).dt)).toBeUndefined();
  });

  test('a browser without getAsFileSystemHandle gives none', async () => {
    const dt = { items: [{ kind: 'file', webkitGetAsEntry: () => null }] } as unknown as DataTransfer;
    expect(await directoryHandleFromDataTransfer(dt)).toBeUndefined();
  });
});

describe('folder picker and permission', () => {
  const withPicker = async (picker: unknown, run: () => Promise<void>) => {
    const g = globalThis as { showDirectoryPicker?: unknown };
    g.showDirectoryPicker = picker;
    try {
      await run();
    } finally {
      delete g.showDirectoryPicker;
    }
  };

  test('closing the picker is no error; other failures are', async () => {
    const { canPickDirectory, pickDirectory } = await import('../../src/data/fileSource');
    expect(canPickDirectory()).toBe(false);
    await expect(pickDirectory()).rejects.toThrow(/cannot open a folder picker/);
    const folder = { kind: 'directory', name: 'nih' };
    await withPicker(async () => folder, async () => {
      expect(canPickDirectory()).toBe(true);
      expect(await pickDirectory()).toBe(folder);
    });
    await withPicker(async () => Promise.reject(new DOMException('The user aborted a request.', 'AbortError')), async () => {
      expect(await pickDirectory()).toBeUndefined();
    });
    await withPicker(async () => Promise.reject(new DOMException('system folder', 'SecurityError')), async () => {
      await expect(pickDirectory()).rejects.toThrow('system folder');
    });
  });

  test('read permission: granted goes on, a refusal says so, a handle without the method is read as it is', async () => {
    const { requestReadPermission } = await import('../../src/data/fileSource');
    const asked: unknown[] = [];
    const withState = (state: string) =>
      ({ name: 'nih', requestPermission: async (d: unknown) => (asked.push(d), state) }) as unknown as FileSystemDirectoryHandle;
    await expect(requestReadPermission(withState('granted'))).resolves.toBeUndefined();
    expect(asked).toEqual([{ mode: 'read' }]);
    await expect(requestReadPermission(withState('denied'))).rejects.toThrow('Reading the folder "nih" was not allowed (denied)');
    await expect(requestReadPermission({ name: 'opfs' } as unknown as FileSystemDirectoryHandle)).resolves.toBeUndefined();
  });
});
