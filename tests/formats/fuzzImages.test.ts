/**
 * Image readers against untrusted bytes: PNG chunks (header sniffing, the row decoder, 8 and 16 bit), JPEG marker
 * walking, DICOM (meta header, data set, native and JPEG pixel data) and the preflight checks. Mutations of real
 * fixtures either decode to size x size pixels or throw a FormatError; header readers never throw at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeStudyImage } from '../../src/formats/image/decodeImage';
import { decodeDicom, type JpegDecoder } from '../../src/formats/image/dicom';
import { imageKindOf, sniffJpeg, sniffPng } from '../../src/formats/image/imageHeader';
import { decodePngToGray } from '../../src/formats/image/png16';
import { preflightImage } from '../../src/formats/image/preflight';
import { FIXTURES } from '../data-study/helpers';
import { RUNS, SEEDS, keepsContract, mutationsOf, tally } from './fuzzHelpers';

const fixture = (...parts: string[]) => new Uint8Array(readFileSync(join(FIXTURES, ...parts)));
const SIZE = 8;

/** Small PNGs of every colour type and depth the row decoder handles (the real ones are 64 px and up). */
function pngs(): Uint8Array[] {
  const gray = Uint8Array.from({ length: 36 }, (_, i) => i * 7);
  return [
    fixture('png16', 'padchest_style_16bit.png'),
    encode({ width: 6, height: 6, data: gray, channels: 1, depth: 8 }),
    encode({ width: 6, height: 6, data: Uint16Array.from(gray, (v) => v * 250), channels: 1, depth: 16 }),
    encode({ width: 3, height: 4, data: Uint8Array.from({ length: 48 }, (_, i) => (i * 13) % 256), channels: 4, depth: 8 }),
    encode({ width: 4, height: 3, data: Uint8Array.from({ length: 12 }, (_, i) => i % 4), channels: 1, depth: 8, palette: [[0, 0, 0], [255, 0, 0], [0, 255, 0], [9, 9, 9]] }),
  ];
}

const fakeJpeg: JpegDecoder = async () => ({ width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(100) });
const fakeBrowser = async (_blob: Blob, size: number) => new Uint8Array(size * size);

describe('image format fuzz', () => {
  it(`PNG chunks: mutated PNGs (gray, 16-bit, RGBA, palette) decode to ${SIZE} x ${SIZE} or throw a FormatError (${RUNS} cases)`, async () => {
    const seen = tally();
    const arbitrary = fc.oneof(...pngs().map((p) => mutationsOf(p)));
    await fc.assert(
      fc.asyncProperty(arbitrary, async (bytes) =>
        seen.add(
          await keepsContract(async () => {
            sniffPng(bytes);
            const pixels = await decodePngToGray(bytes, SIZE);
            expect(pixels).toHaveLength(SIZE * SIZE);
          }),
        ),
      ),
      { numRuns: RUNS, seed: SEEDS.png },
    );
    expect(seen.counts.ok).toBeGreaterThan(0);
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);

  it(`DICOM: mutated files (explicit / implicit VR, 8 / 16 bit, MONOCHROME1, JPEG Baseline) decode or throw a FormatError (${RUNS} cases)`, async () => {
    const seen = tally();
    const files = ['mono1_u16_window_explicit.dcm', 'mono2_s16_rescale_implicit.dcm', 'mono2_u8_explicit.dcm', 'unsupported_jpeg2000.dcm'].map((n) => fixture('dicom', n));
    // The real JPEG DICOM is 100 KB: its header and the start of its pixel data are enough to reach every branch.
    const siim = fixture('dicom', 'siim_sample_jpeg_baseline.dcm');
    const arbitrary = fc.oneof(...files.map((f) => mutationsOf(f)), mutationsOf(siim, { from: 0, to: 2048 }));
    await fc.assert(
      fc.asyncProperty(arbitrary, async (bytes) =>
        seen.add(
          await keepsContract(async () => {
            preflightImage(bytes, 'x.dcm');
            const image = await decodeDicom(bytes, { size: SIZE, decodeJpeg: fakeJpeg });
            expect(image.pixels).toHaveLength(SIZE * SIZE);
          }),
        ),
      ),
      { numRuns: RUNS, seed: SEEDS.dicom },
    );
    expect(seen.counts.ok).toBeGreaterThan(0);
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);

  it(`JPEG markers and preflight never throw; the whole decode route keeps the contract (${RUNS} cases)`, async () => {
    const jpeg = fixture('bad', 'complete.jpeg');
    const arbitrary = fc.oneof(mutationsOf(jpeg, { from: 0, to: 700 }), mutationsOf(fixture('bad', 'complete.png')), mutationsOf(fixture('dicom', 'mono2_u8_explicit.dcm')));
    const seen = tally();
    await fc.assert(
      fc.asyncProperty(arbitrary, fc.constantFrom('a.png', 'a.jpeg', 'a.dcm', 'a.bmp', 'a'), async (bytes, name) => {
        imageKindOf(bytes);
        sniffJpeg(bytes);
        sniffPng(bytes);
        expect(() => preflightImage(bytes, name)).not.toThrow();
        seen.add(await keepsContract(() => decodeStudyImage(new Blob([bytes as BlobPart]), SIZE, fakeBrowser, { path: name, decodeJpeg: fakeJpeg })));
      }),
      { numRuns: RUNS, seed: SEEDS.jpeg },
    );
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);
});
