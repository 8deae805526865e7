/**
 * Large valid radiographs are accepted and decoded in bounded memory, in the real browser: 8,000 x 8,000 PNG (8 and
 * 16 bit, row decoder) and JPEG (baseline and progressive, downscaled while decoding by Chromium's ImageDecoder).
 * Memory is measured where the decoding happens: the renderer process that runs the page and its workers, found
 * through the DevTools protocol (SystemInfo.getProcessInfo). A small folder is ingested first, so the ingest and
 * decode workers are running; then the peak resident set (VmHWM, reset by writing 5 to /proc/<pid>/clear_refs) must
 * grow by less than one whole decoded image would take (8,000 x 8,000 RGBA = 244 MiB) while the four large files
 * are ingested. Linux only, as CI. (One file at a time, over a small-folder ingest, Chromium 156: 8-bit PNG +57 MB,
 * 16-bit PNG +85 MB, both uncollected output of the platform's inflate that does not grow with the image; baseline
 * JPEG +7 MB; progressive JPEG +86 to +128 MB, its DCT coefficients. createImageBitmap took +330 MB per such JPEG.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './lab';
import { dropOnDropZone, storedPixels } from './dropFiles';

const LARGE = path.resolve('e2e/fixtures/large-images');
const WARM_UP = path.resolve('e2e/fixtures/xray-folder');
const WHOLE_DECODE_MB = (8000 * 8000 * 4) / 2 ** 20;

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

test('8,000 x 8,000 PNG (8 / 16 bit) and JPEG (baseline / progressive) are ingested with bounded renderer memory', async ({ page, browser, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [WARM_UP]);
  await expect(page.getByText(/Ingested 44 images/)).toBeVisible({ timeout: 120_000 });
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  expect(renderers.length).toBeGreaterThan(0);
  const baseline = new Map<number, number>();
  for (const pid of renderers) {
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS (Linux proc(5))
    baseline.set(pid, statusMb(pid, 'VmRSS'));
  }

  const started = Date.now();
  await dropOnDropZone(page, [LARGE]);
  await expect(page.getByText(/Ingested 4 images/)).toBeVisible({ timeout: 180_000 });
  const seconds = (Date.now() - started) / 1000;
  const growth = Math.max(...renderers.map((pid) => statusMb(pid, 'VmHWM') - baseline.get(pid)!));
  console.log(`4 large images in ${seconds.toFixed(1)} s; renderer peak RSS grew by ${growth.toFixed(0)} MB (one whole 8,000 x 8,000 RGBA decode: ${WHOLE_DECODE_MB.toFixed(0)} MB)`);
  expect(growth, 'renderer peak resident memory growth (MB)').toBeLessThan(WHOLE_DECODE_MB);

  // Each stored image shows the radiograph pasted in the middle of the black canvas.
  const names = ['NORMAL/large_8000_gray8.png', 'NORMAL/large_8000_gray16.png', 'PNEUMONIA/large_8000_baseline.jpg', 'PNEUMONIA/large_8000_progressive.jpg'];
  const pixels = await storedPixels(page, names);
  for (const name of names) {
    const image = pixels[name];
    expect(image, name).toHaveLength(224 * 224);
    const centre = image.slice(112 * 224 + 100, 112 * 224 + 124);
    expect(Math.max(...centre), `${name} centre`).toBeGreaterThan(20);
    expect(image[5 * 224 + 5], `${name} corner`).toBeLessThan(8);
  }
});
