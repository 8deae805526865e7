/**
 * Datasets as downloaded, in the real browser: archive files dropped on the drop zone as they are, never unpacked.
 * NIH's layout (the loose Data_Entry CSV beside several images_00N.tar.gz), a class-folder .zip made on macOS
 * (with its __MACOSX debris) and a plain .tar are ingested from the archives; an archive ingest cancelled half-way
 * and added again after a reload stores only the missing images (keys are the paths inside the archive).
 * The archives are built here from real radiographs: the committed Kermany fixture (e2e/fixtures/xray-folder) and
 * the shared real data (NIH sample PNGs, 500 Kermany JPEGs; those two tests need it, see tests/sharedData.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { packTar } from 'modern-tar';
import { downloadJson, expect, test } from './lab';
import { dropOnDropZone } from './dropFiles';

/**
 * The shared real data, found as tests/sharedData.ts finds it (CXR_SHARED_DATA, else ../shared/data); that module
 * is not imported here because it needs __dirname, which Playwright's ESM loading does not define.
 */
const SHARED = process.env.CXR_SHARED_DATA ? path.resolve(process.env.CXR_SHARED_DATA) : path.resolve('..', 'shared', 'data');
const SKIP_WITHOUT_SHARED_DATA = !existsSync(SHARED) && process.env.CXR_REQUIRE_SHARED_DATA !== '1';
const SHARED_DATA_REASON = `needs the real data folder ${SHARED} (absent; set CXR_SHARED_DATA to its path)`;
const FIXTURE = path.resolve('e2e', 'fixtures', 'xray-folder');

interface IngestReport {
  ingested: number;
  skipped: { path: string; reason: string }[];
}

async function tarOf(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  return packTar(Object.entries(files).map(([name, body]) => ({ header: { name, size: body.length }, body })));
}

/** `count` Kermany radiographs of a class: from the shared data's 500, or (`committed`) the fixture's 16. */
async function kermany(cls: 'NORMAL' | 'PNEUMONIA', count: number, committed = false): Promise<Record<string, Uint8Array>> {
  const dir = committed ? path.join(FIXTURE, 'train', cls) : path.join(SHARED, 'kermany-pneumonia-224', 'dataset', 'train', cls);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.jpeg')).sort().slice(0, count);
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, new Uint8Array(await readFile(path.join(dir, n)))] as const)));
}

test('NIH as downloaded: Data_Entry CSV + three images_00N.tar.gz dropped together are one NIH dataset', async ({ page, watch }) => {
  void watch;
  test.info().skip(SKIP_WITHOUT_SHARED_DATA, SHARED_DATA_REASON);
  const folder = test.info().outputPath('nih-download');
  await mkdir(folder, { recursive: true });
  const imagesDir = path.join(SHARED, 'nih-sample', 'images');
  const names = (await readdir(imagesDir)).filter((n) => n.endsWith('.png')).sort().slice(0, 12);
  const csv = (await readFile(path.join(SHARED, 'nih-sample', 'Data_Entry_2017_v2020.csv'), 'utf8')).split('\n');
  await writeFile(path.join(folder, 'Data_Entry_2017_v2020.csv'), csv.filter((l, i) => i === 0 || names.includes(l.split(',')[0])).join('\n') + '\n');
  const archives: string[] = [];
  for (let part = 0; part < 3; part++) {
    const members: Record<string, Uint8Array> = {};
    for (const n of names.slice(part * 4, part * 4 + 4)) members[`images/${n}`] = new Uint8Array(await readFile(path.join(imagesDir, n)));
    const archive = path.join(folder, `images_00${part + 1}.tar.gz`);
    await writeFile(archive, gzipSync(await tarOf(members)));
    archives.push(archive);
  }
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [path.join(folder, 'Data_Entry_2017_v2020.csv'), ...archives]);
  await expect(page.getByText(/Ingested 12 images/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/NIH ChestX-ray14: 12 images/).first()).toBeVisible();
  await expect(page.getByText(/images_002\.tar\.gz: 4 files read from the tar\.gz archive without unpacking it/)).toBeVisible();
  const report = await downloadJson<IngestReport>(page, 'Download ingest report');
  expect(report).toMatchObject({ ingested: 12, skipped: [], layout: 'nih' });
});

test('a macOS class-folder .zip dropped and a plain .tar chosen from the keyboard: debris skipped silently, the images ingested', async ({ page, watch }) => {
  void watch;
  const folder = test.info().outputPath('class-archives');
  await mkdir(folder, { recursive: true });
  const normal = await kermany('NORMAL', 6, true);
  const pneumonia = await kermany('PNEUMONIA', 6, true);
  const zip: Record<string, Uint8Array> = { '__MACOSX/chest_xray/NORMAL/._a.jpeg': new Uint8Array([0, 5, 22, 7]), 'chest_xray/.DS_Store': new Uint8Array(16) };
  for (const [n, b] of Object.entries(normal)) zip[`chest_xray/NORMAL/${n}`] = b;
  for (const [n, b] of Object.entries(pneumonia)) zip[`chest_xray/PNEUMONIA/${n}`] = b;
  await writeFile(path.join(folder, 'chest_xray.zip'), zipSync(zip, { level: 0 }));
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [path.join(folder, 'chest_xray.zip')]);
  await expect(page.getByText(/Ingested 12 images/)).toBeVisible({ timeout: 120_000 });
  expect(await downloadJson<IngestReport>(page, 'Download ingest report')).toMatchObject({ ingested: 12, skipped: [], layout: 'class-folders' });

  const tar: Record<string, Uint8Array> = {};
  for (const [n, b] of Object.entries(await kermany('NORMAL', 10, true))) tar[`set/NORMAL/${n}`] = b;
  for (const [n, b] of Object.entries(await kermany('PNEUMONIA', 10, true))) tar[`set/PNEUMONIA/${n}`] = b;
  await writeFile(path.join(folder, 'set.tar'), await tarOf(tar));
  // This one chosen from the keyboard with "Choose archives or files" instead of dropped; it is named after the archive.
  const chooser = page.waitForEvent('filechooser');
  await page.getByLabel('Choose archives or files').focus();
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(path.join(folder, 'set.tar'));
  await expect(page.getByText(/Ingested 20 images/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('combobox', { name: 'Stored dataset' }).locator('option:checked')).toHaveText('set — 20 images');
});

test('an archive ingest cancelled half-way resumes after a reload: adding the archive again stores only the rest', async ({ page, watch }) => {
  void watch;
  test.info().skip(SKIP_WITHOUT_SHARED_DATA, SHARED_DATA_REASON);
  const folder = test.info().outputPath('resume-archive');
  await mkdir(folder, { recursive: true });
  // 2 x 250 real 224 px JPEGs: long enough to cancel part-way on any machine.
  const members: Record<string, Uint8Array> = {};
  for (const [n, b] of Object.entries(await kermany('NORMAL', 250))) members[`kermany/NORMAL/${n}`] = b;
  for (const [n, b] of Object.entries(await kermany('PNEUMONIA', 250))) members[`kermany/PNEUMONIA/${n}`] = b;
  const archive = path.join(folder, 'kermany.tar.gz');
  await writeFile(archive, gzipSync(await tarOf(members)));

  await page.goto('/?backend=wasm');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [archive]);
  const progress = page.getByRole('progressbar', { name: 'Ingest progress' });
  await expect.poll(async () => Number((await progress.getAttribute('value')) ?? 0), { timeout: 120_000 }).toBeGreaterThan(40);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByText(/Ingest cancelled after \d+ images/)).toBeVisible({ timeout: 60_000 });
  const first = await downloadJson<IngestReport>(page, 'Download ingest report');
  expect(first.ingested).toBeGreaterThan(0);
  expect(first.ingested).toBeLessThan(500);

  await page.reload();
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [archive]);
  await expect(page.getByText(new RegExp(`Ingested ${500 - first.ingested} images`))).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(new RegExp(`${first.ingested} images were already stored and reused`))).toBeVisible();
});
