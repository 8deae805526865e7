/**
 * Drops files or folders from disk on the lab's drop zone as a user's drag and drop does: through the DevTools
 * protocol (Input.dispatchDragEvent), so Chromium builds a real DataTransfer with File System entries. Used by the
 * input-kind, archive and large-image specs; the lab's own folder.spec.ts does the same inline.
 */
import type { Page } from '@playwright/test';

export async function dropOnDropZone(page: Page, paths: string[]): Promise<void> {
  const zone = page.getByLabel('Drop a dataset folder here');
  const box = await zone.boundingBox();
  if (!box) throw new Error('the drop zone is not visible');
  const cdp = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}

/** Stored pixels (read from IndexedDB) of the first image whose key ends with each suffix, across all datasets. */
export async function storedPixels(page: Page, keySuffixes: string[]): Promise<Record<string, number[]>> {
  return page.evaluate(async (suffixes) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('cxr-peft-lab');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = await new Promise<{ key: string; pixels: Uint8Array }[]>((resolve, reject) => {
      const request = db.transaction('images').objectStore('images').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    const out: Record<string, number[]> = {};
    for (const suffix of suffixes) {
      const image = all.find((i) => i.key.endsWith(suffix));
      if (image) out[suffix] = Array.from(image.pixels);
    }
    return out;
  }, keySuffixes);
}
