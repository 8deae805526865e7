/**
 * docs/input-kinds.md in the real browser: one folder mixing every bad and odd image kind (made from real
 * radiographs by scripts/make_input_kinds.py) dropped on the drop zone. The downloadable report lists each refused
 * file with its reason, hidden and system files are not mentioned, copies are stored once, multi-frame DICOMs are
 * noted, EXIF orientation is applied, and everything else is ingested by Chromium's decoders.
 */
import path from 'node:path';
import { downloadJson, expect, test } from './lab';
import { dropOnDropZone, storedPixels } from './dropFiles';

const KINDS = path.resolve('e2e/fixtures/input-kinds');

interface IngestReport {
  ingested: number;
  skipped: { path: string; reason: string }[];
}

const REFUSED: Record<string, RegExp> = {
  'NORMAL/zero_byte.png': /^zero-byte file$/,
  'NORMAL/truncated.png': /^truncated PNG \(no IEND chunk/,
  'NORMAL/truncated.jpeg': /^truncated JPEG \(no end-of-image marker\)/,
  'NORMAL/text_named.png': /^not an image: the content is not PNG despite the \.png extension$/,
  'NORMAL/corrupt_header.png': /^corrupt PNG: no valid IHDR header$/,
  // Header and end marker are fine; only Chromium's decoder finds the image data broken.
  'NORMAL/corrupt_data.png': /^not a decodable image \(truncated or corrupt\)$/,
  'NORMAL/twelve_bit.jpeg': /^12-bit JPEG is not decoded by browsers/,
  'NORMAL/notes.txt': /^not an image \(expected \.png, \.jpg, \.jpeg, \.dcm, \.bmp or \.webp\)$/,
  'NORMAL/original.png': /^same content as input-kinds\/NORMAL\/copy of original\.png: stored once$/,
  'PNEUMONIA/animation.gif': /^GIF is not a radiograph format/,
  'PNEUMONIA/scan.tiff': /^TIFF images are not decoded by browsers; convert them to PNG/,
  'PNEUMONIA/beyond_limit_20000.png': /^image too large: 20000 x 20000 = 400,000,000 pixels/,
  'PNEUMONIA/dicom_no_pixel_data.dcm': /^DICOM has no pixel data/,
  'PNEUMONIA/dicom_jpeg_lossless.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.70 \(JPEG Lossless/,
  'PNEUMONIA/dicom_jpeg_ls.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.80 \(JPEG-LS Lossless\)/,
  'PNEUMONIA/dicom_rle.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\)/,
  'PNEUMONIA/dicom_jpeg2000.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.91 \(JPEG 2000/,
  'PNEUMONIA/dicom_htj2k.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201 \(High-Throughput JPEG 2000/,
};

/**
 * Decoded and stored: 8 good radiographs; PNG named .jpg and JPEG named .png; 16-bit, RGBA, grey + alpha and palette
 * PNG; CMYK, progressive and EXIF-rotated JPEG (+ its upright reference); 1 x 1, 40 x 4000 and 4000 x 40; BMP, WebP;
 * a unicode / space / '#' name; one of the two copies; DICOM MONOCHROME1, signed 16-bit, without preamble, bare data
 * set, implicit VR, deflated, big endian, multi-frame native and multi-frame JPEG.
 */
const INGESTED = 8 + 2 + 4 + 4 + 3 + 2 + 1 + 1 + 9;

test('a folder of every bad and odd kind: each refused file has its reason, the rest is ingested', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
  await dropOnDropZone(page, [KINDS]);
  await expect(page.getByText(new RegExp(`Ingested ${INGESTED} images`))).toBeVisible({ timeout: 180_000 });

  const report = await downloadJson<IngestReport>(page, 'Download ingest report');
  expect(report.ingested).toBe(INGESTED);
  const reasons = Object.fromEntries(report.skipped.map((s) => [s.path.replace(/^input-kinds\//, ''), s.reason]));
  for (const [file, reason] of Object.entries(REFUSED)) expect(reasons[file] ?? `(not in the report: ${JSON.stringify(reasons)})`, file).toMatch(reason);
  expect(Object.keys(reasons).sort()).toEqual(Object.keys(REFUSED).sort());
  // Hidden and system files are skipped silently.
  expect(JSON.stringify(report)).not.toMatch(/DS_Store|Thumbs\.db|desktop\.ini|__MACOSX|\/\._/);
  // The dataset's notes say what was done beyond the report.
  await expect(page.getByText(/2 multi-frame DICOMs: only the first frame of each was stored/)).toBeVisible();
  await expect(page.getByText(/1 files have the same content as another file and were stored once/)).toBeVisible();

  // EXIF orientation 6 is applied: the sideways-stored file is stored like its upright reference (bright band on top).
  const pixels = await storedPixels(page, ['PNEUMONIA/exif_rotated.jpg', 'PNEUMONIA/exif_upright_reference.jpg', 'NORMAL/Röntgen Bild #1 ü.png']);
  const rotated = pixels['PNEUMONIA/exif_rotated.jpg'];
  const upright = pixels['PNEUMONIA/exif_upright_reference.jpg'];
  expect(rotated).toHaveLength(224 * 224);
  const meanAbsDiff = rotated.reduce((s, v, i) => s + Math.abs(v - upright[i]), 0) / rotated.length;
  expect(meanAbsDiff, 'mean |rotated - upright| over the stored pixels').toBeLessThan(6);
  const topBand = rotated.slice(0, 224 * 30);
  expect(topBand.reduce((s, v) => s + v, 0) / topBand.length).toBeGreaterThan(240);
  // A name with unicode, spaces and '#' is stored under that very key.
  expect(pixels['NORMAL/Röntgen Bild #1 ü.png']).toHaveLength(224 * 224);
});
