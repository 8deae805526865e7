/**
 * Issue 4, "reload mid-ingest and it continues where it stopped", for a folder that came with a
 * FileSystemDirectoryHandle. The folder lives in the origin-private file system (OPFS), whose handles need no
 * permission prompt, and reaches the lab through the page's own showDirectoryPicker path: the test replaces
 * window.showDirectoryPicker with a function that returns the OPFS folder, so no test hook is built into the app.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './lab';

const SOURCE = path.resolve('e2e/fixtures/xray-folder');
/** The 44 real radiographs of the fixture, each written this many times under its own name. */
const COPIES = 20;

/**
 * A JPEG with a comment segment (COM, 0xFFFE) right after its start marker: the same picture, different bytes, so the
 * lab's content-hash dedupe stores each copy (identical copies under two names are stored once).
 */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const segment = Buffer.concat([Buffer.from([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
const FOLDER = 'resume-set';

interface FixtureFile {
  path: string;
  base64: string;
}

async function fixtureFiles(): Promise<FixtureFile[]> {
  const out: FixtureFile[] = [];
  for (const split of await readdir(SOURCE)) {
    for (const label of await readdir(path.join(SOURCE, split))) {
      for (const name of await readdir(path.join(SOURCE, split, label))) {
        const bytes = await readFile(path.join(SOURCE, split, label, name));
        for (let copy = 0; copy < COPIES; copy++) {
          out.push({ path: `${split}/${label}/copy${copy}-${name}`, base64: withComment(bytes, `copy ${copy}`).toString('base64') });
        }
      }
    }
  }
  return out;
}

/** Keys of the stored images of every dataset named FOLDER, read straight from the lab's IndexedDB. */
async function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(async (folder) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cxr-peft-lab');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T,>(store: string, method: 'getAll' | 'getAllKeys') =>
      new Promise<T[]>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store)[method]();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const ids = new Set((await all<{ id: string; name: string }>('datasets', 'getAll')).filter((m) => m.name === folder).map((m) => m.id));
    const keys = (await all<[string, string]>('images', 'getAllKeys')).filter(([id]) => ids.has(id)).map(([, key]) => key);
    db.close();
    return keys;
  }, FOLDER);
}

/** Writes the files into OPFS under FOLDER and makes the page's showDirectoryPicker answer with that folder. */
async function offerOpfsFolder(page: Page, files: FixtureFile[]): Promise<void> {
  await page.evaluate(
    async ({ folder, files }) => {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle(folder, { create: true });
      for (const f of files) {
        const parts = f.path.split('/');
        let parent = dir;
        for (const part of parts.slice(0, -1)) parent = await parent.getDirectoryHandle(part, { create: true });
        const writable = await (await parent.getFileHandle(parts.at(-1)!, { create: true })).createWritable();
        await writable.write(Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)));
        await writable.close();
      }
      // What the browser's folder picker would answer; the lab's own click handler calls it.
      (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => dir;
    },
    { folder: FOLDER, files },
  );
}

/** Starts the ingest through "Choose dataset folder" and waits until `done` images are decoded (a few chunks). */
async function startIngest(page: Page, done: number): Promise<void> {
  await page.getByLabel('Choose dataset folder').click();
  const bar = page.getByRole('progressbar', { name: 'Ingest progress' });
  await expect.poll(async () => Number((await bar.getAttribute('value')) ?? 0), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(done);
}

test('a folder with a handle resumes after a reload mid-ingest: only the missing images are stored, none twice', async ({ page, watch }) => {
  void watch;
  const files = await fixtureFiles();
  const total = files.length;
  await page.goto('/?backend=wasm');
  await offerOpfsFolder(page, files);
  await startIngest(page, 100);
  await page.reload();

  const resume = page.getByRole('button', { name: `Resume ingest of ${FOLDER}` });
  await expect(resume).toBeVisible();
  const before = await storedKeys(page);
  expect(before.length, 'images stored before the reload').toBeGreaterThan(0);
  expect(before.length, 'the reload came before the end').toBeLessThan(total);
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('(incomplete)');

  await resume.click();
  await expect(page.getByText(`Ingested ${(total - before.length).toLocaleString('en-US')} images`)).toBeVisible({ timeout: 120_000 });
  const after = await storedKeys(page);
  expect(after.length).toBe(total);
  expect(new Set(after).size).toBe(total);
  expect(after).toEqual(expect.arrayContaining(before));
  await expect(resume).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).not.toContainText('(incomplete)');

  // The record is gone for good: a second reload offers no resume.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText(FOLDER);
  await expect(page.getByRole('button', { name: /Resume ingest/ })).toHaveCount(0);
});

test('a cancelled ingest offers a resume; "Discard" forgets it and keeps the stored images', async ({ page, watch }) => {
  void watch;
  const files = await fixtureFiles();
  await page.goto('/?backend=wasm');
  await offerOpfsFolder(page, files);
  await startIngest(page, 100);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByText(/Ingest cancelled after/)).toBeVisible();
  const kept = await storedKeys(page);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(files.length);

  const discard = page.getByRole('button', { name: `Discard the unfinished ingest of ${FOLDER}` });
  await expect(page.getByRole('button', { name: `Resume ingest of ${FOLDER}` })).toBeVisible();
  await discard.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: /Resume ingest/ })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('(incomplete)');
  await expect(page.getByRole('button', { name: /Resume ingest/ })).toHaveCount(0);
  expect(await storedKeys(page)).toEqual(kept);
});
