/**
 * The browser half of the JPEG Baseline DICOM path, in the real Debian Chromium the e2e tests use:
 * browserJpegDecoder (createImageBitmap + OffscreenCanvas) must decode the SIIM frame as Pillow does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { decode } from 'fast-png';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { browserJpegDecoder, extractJpegFrame } from '../../src/formats/image/dicom';
import { FIXTURES } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

it('Chromium decodes the real DICOM JPEG frame like Pillow (64 x 64 box means within 1 level)', async () => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'dicom', 'siim_sample_jpeg_baseline.dcm')));
  const frame = extractJpegFrame(dicomParser.parseDicom(bytes));
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const page = await browser.newPage();
    // The decoder uses only browser globals, so its own source runs in the page unchanged.
    const decoded = await page.evaluate(
      async ({ source, jpegBase64 }) => {
        const decodeJpeg = (0, eval)(`(${source})`) as (b: Uint8Array) => Promise<{ width: number; height: number; channels: number; data: Uint8ClampedArray }>;
        const image = await decodeJpeg(Uint8Array.from(atob(jpegBase64), (c) => c.charCodeAt(0)));
        // 16 x 16 block means (1024 -> 64, as Pillow's Image.BOX): only 4,096 numbers travel back.
        const means: number[] = [];
        for (let by = 0; by < 64; by++) {
          for (let bx = 0; bx < 64; bx++) {
            let sum = 0;
            for (let y = by * 16; y < by * 16 + 16; y++) for (let x = bx * 16; x < bx * 16 + 16; x++) sum += image.data[(y * image.width + x) * image.channels];
            means.push(sum / 256);
          }
        }
        return { width: image.width, height: image.height, means };
      },
      { source: browserJpegDecoder.toString(), jpegBase64: Buffer.from(frame).toString('base64') },
    );
    expect([decoded.width, decoded.height]).toEqual([1024, 1024]);
    const pillow = decode(readFileSync(join(FIXTURES, 'dicom', 'siim_frame_pil_64.png'))).data;
    // Pillow rounded its means to bytes; IDCT implementations may differ by a level here and there.
    const worst = Math.max(...decoded.means.map((v, i) => Math.abs(v - pillow[i])));
    expect(worst).toBeLessThanOrEqual(1);
  } finally {
    await browser.close();
  }
});
