/**
 * The out-of-distribution guard in the real browser path: a folder of non-radiographs (skimage photos, a text page,
 * a chart) and a folder of real chest radiographs (tests/fixtures/ood, scripts/ood_fixtures.py) go through
 * decode.worker.ts decodeWithStats (createImageBitmap + OffscreenCanvas, colour measured on the RGBA) and
 * scoreOod, via harness.html (window.cxrHarness.oodEval). Every non-radiograph must be flagged with a reason and no
 * radiograph may be. The ingest report's flagging is wired in the application layer; this spec checks what that
 * layer will receive from the decode worker.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { downloadJson, expect, test } from './lab';
import type { OodEvalRow } from '../src/harness/oodEval';

type HarnessWindow = { cxrHarness?: { oodEval(options: Record<string, unknown>): Promise<OodEvalRow[]> } };

// Playwright runs from the repository root (as the other specs assume).
const FIXTURES = resolve('tests/fixtures/ood');
const filesOf = (folder: string) => readdirSync(join(FIXTURES, folder)).filter((f) => f.endsWith('.png')).sort().map((f) => join(FIXTURES, folder, f));

async function evaluate(page: import('@playwright/test').Page, files: string[]): Promise<OodEvalRow[]> {
  await page.goto('/harness.html');
  await page.waitForFunction(() => typeof (window as unknown as HarnessWindow).cxrHarness?.oodEval === 'function');
  await page.setInputFiles('#bench-files', files);
  return page.evaluate(() => (window as unknown as HarnessWindow).cxrHarness!.oodEval({ size: 224, workers: 2 }));
}

test('a folder of photos, a text page and a chart: every image is flagged, with a reason', async ({ page, watch }) => {
  void watch;
  const files = filesOf('others');
  expect(files.length).toBeGreaterThanOrEqual(5);
  const rows = await evaluate(page, files);
  expect(rows.map((r) => r.name)).toEqual(files.map((f) => f.split('/').pop()));
  for (const row of rows) {
    expect(row.error, row.name).toBeUndefined();
    expect(row.verdict?.flagged, `${row.name} score ${row.verdict?.score}`).toBe(true);
    expect(row.verdict?.reason, row.name).toMatch(/colour photograph|document, chart or screenshot|not a chest radiograph/);
  }
  const chelsea = rows.find((r) => r.name === 'skimage_chelsea.png')!;
  expect(chelsea.verdict?.reason).toBe('looks like a colour photograph');
  expect(chelsea.stats?.colourFraction).toBeGreaterThan(0.5);
});

test('a folder of real chest radiographs (NIH PNG, Kermany): none is flagged', async ({ page, watch }) => {
  void watch;
  const rows = await evaluate(page, filesOf('radiographs'));
  expect(rows).toHaveLength(6);
  for (const row of rows) {
    expect(row.error, row.name).toBeUndefined();
    expect(row.verdict?.flagged, `${row.name} score ${row.verdict?.score}`).toBe(false);
    expect(row.stats?.colourFraction).toBe(0);
  }
});

test('a dropped folder of photos, a text page and a chart is ingested with every image flagged in the ingest report; with the option ticked they are left out', async ({ page, watch }) => {
  void watch;
  const { mkdir, copyFile } = await import('node:fs/promises');
  // A class-folder dataset as a user might drop it by mistake: the non-radiographs split over two class folders.
  const files = filesOf('others');
  const folderOf = async (name: string) => {
    const root = join(test.info().outputPath('not-radiographs'), name);
    for (const [i, file] of files.entries()) {
      const folder = join(root, i % 2 === 0 ? 'NORMAL' : 'PNEUMONIA');
      await mkdir(folder, { recursive: true });
      await copyFile(file, join(folder, file.split('/').pop()!));
    }
    return root;
  };
  const root = await folderOf('holiday');
  await page.goto('/?backend=wasm');
  await page.getByLabel('Choose dataset folder').setInputFiles(root);
  await expect(page.getByText(new RegExp(`Ingested ${files.length} images`))).toBeVisible({ timeout: 60_000 });
  const flaggedGroup = page.getByRole('group', { name: 'Images that do not look like chest radiographs' });
  await expect(flaggedGroup).toContainText(`${files.length} images do not look like chest radiographs`);
  const report = await downloadJson<{ flagged: { path: string; reason: string; excluded: boolean }[] }>(page, 'Download ingest report');
  expect(report.flagged).toHaveLength(files.length);
  for (const f of report.flagged) {
    expect(f.reason).toMatch(/colour photograph|document, chart or screenshot|not a chest radiograph/);
    expect(f.excluded).toBe(false);
  }

  // The same pictures in another folder, with "Leave out images that do not look like chest radiographs": none is stored.
  await page.getByText('Ingest options').click();
  await page.getByRole('checkbox', { name: 'Leave out images that do not look like chest radiographs' }).check();
  await page.getByLabel('Choose dataset folder').setInputFiles(await folderOf('holiday-again'));
  await expect(flaggedGroup).toContainText('and were left out.', { timeout: 60_000 });
  await expect(page.getByText(/Ingested 0 images/)).toBeVisible();
});
