/**
 * Test helpers for the out-of-distribution guard: the committed fixtures of tests/fixtures/ood (made by
 * scripts/ood_fixtures.py) decoded in Node as the lab's browser path would (fast-png instead of
 * createImageBitmap): RGBA at the file's own size for the colour share, gray (ITU-R BT.601) stretched to the
 * storage size for everything else.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertIndexedToRgb, decode } from 'fast-png';
import { rgbaToGray } from '../../src/formats/image/browserDecode';
import { colourFractionOf, imageStatsOf, type ImageStats } from '../../src/formats/image/imageStats';
import { resizeGray, toBytes } from '../../src/formats/image/resizeGray';

export const OOD_FIXTURES = resolve(__dirname, '..', 'fixtures', 'ood');

export interface StatsGolden {
  fixtures: Record<string, { kind: 'real' | 'non-radiograph'; colourFraction: number; gray56: string; stats: Record<string, number | number[]> }>;
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(OOD_FIXTURES, name), 'utf8')) as T;
}

/** RGBA of a fixture PNG at its own size (8-bit gray, gray + alpha, RGB, RGBA or palette). */
export function fixtureRgba(rel: string): { width: number; height: number; rgba: Uint8Array } {
  const png = decode(readFileSync(join(OOD_FIXTURES, rel)));
  if (png.depth !== 8) throw new Error(`${rel}: ${png.depth}-bit fixture, expected 8`);
  const count = png.width * png.height;
  const data = png.palette ? convertIndexedToRgb(png) : png.data;
  const channels = data.length / count;
  const rgba = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    const gray = channels <= 2;
    rgba[i * 4] = data[at];
    rgba[i * 4 + 1] = gray ? data[at] : data[at + 1];
    rgba[i * 4 + 2] = gray ? data[at] : data[at + 2];
    rgba[i * 4 + 3] = 255;
  }
  return { width: png.width, height: png.height, rgba };
}

/** The stored gray image (size x size, stretched) and the statistics decodeWithStats would report. */
export function fixtureStats(rel: string, size = 224): { gray: Uint8Array; stats: ImageStats; colour: number } {
  const { width, height, rgba } = fixtureRgba(rel);
  const native = rgbaToGray(rgba);
  const gray = width === size && height === size ? native : toBytes(resizeGray(native, width, height, size, size));
  const colour = colourFractionOf(rgba);
  return { gray, colour, stats: imageStatsOf(gray, size, colour) };
}

