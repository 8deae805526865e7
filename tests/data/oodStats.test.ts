/**
 * The guard's decode-time statistics (src/formats/image/imageStats.ts) against numpy + Pillow
 * (scripts/ood_fixtures.py, tests/fixtures/ood/stats_golden.json): the formulas on identical 56 x 56 bytes, the
 * 224 -> 56 area resize against Pillow's Image.BOX, and the colour share on each fixture's own RGB.
 * Also decodeStudyImageWithStats: colour comes from the browser decoder's RGBA, and is "not measured" (null) on the
 * DICOM and 16-bit PNG routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStudyImageWithStats } from '../../src/formats/image/decodeWithStats';
import { canonicalGray, colourFractionOf, grayStatsOf, imageStatsOf, STATS_SIZE } from '../../src/formats/image/imageStats';
import { resizeGray, toBytes } from '../../src/formats/image/resizeGray';
import { FIXTURES as STUDY_FIXTURES } from '../data-study/helpers';
import { fixtureRgba, fixtureStats, OOD_FIXTURES, readJson, type StatsGolden } from './oodFixtures';

const golden = readJson<StatsGolden>('stats_golden.json');
const cases = Object.entries(golden.fixtures);

function bytesOf(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

describe('grayStatsOf matches numpy on the same 56 x 56 bytes', () => {
  it.each(cases)('%s', (_rel, fixture) => {
    const stats = grayStatsOf(bytesOf(fixture.gray56), STATS_SIZE);
    const expected = fixture.stats;
    for (const key of ['modeFraction', 'modeLevel', 'entropy', 'edgeFraction', 'meanGradient', 'saturatedFraction', 'mean', 'std'] as const) {
      expect(stats[key], key).toBeCloseTo(expected[key] as number, 10);
    }
    const layout = expected.layout as number[];
    expect(stats.layout).toHaveLength(64);
    stats.layout.forEach((v, i) => expect(v, `layout ${i}`).toBeCloseTo(layout[i], 9));
  });
});

describe('canonicalGray: the area resize to 56 px agrees with Pillow Image.BOX', () => {
  // Fixtures stored at exactly 224 x 224 gray: the stored image is the file itself, no other resize involved.
  const square = cases.filter(([rel]) => {
    const { width, height } = fixtureRgba(rel);
    return width === 224 && height === 224;
  });
  it('has fixtures to compare', () => expect(square.length).toBeGreaterThanOrEqual(4));
  it.each(square)('%s', (rel, fixture) => {
    const mine = canonicalGray(fixtureStats(rel).gray, 224);
    const pillow = bytesOf(fixture.gray56);
    let worst = 0;
    for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i] - pillow[i]));
    // Pillow rounds to 8 bits between its horizontal and vertical passes; resizeGray keeps floats: 1 level at most.
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('colourFractionOf', () => {
  it.each(cases)('%s matches numpy', (rel, fixture) => {
    expect(colourFractionOf(fixtureRgba(rel).rgba)).toBeCloseTo(fixture.colourFraction, 12);
  });

  it('counts a pixel only when its channels spread by more than 32 levels, alpha ignored', () => {
    const rgba = Uint8Array.from([10, 10, 10, 0, 0, 32, 0, 255, 0, 33, 0, 255, 200, 100, 50, 7]);
    expect(colourFractionOf(rgba)).toBe(0.5);
    expect(colourFractionOf(new Uint8Array(0))).toBe(0);
  });
});

describe('grayStatsOf on made-up images', () => {
  it('a flat image: one level, no edges, zero entropy, finite layout', () => {
    const stats = grayStatsOf(new Uint8Array(STATS_SIZE * STATS_SIZE).fill(255), STATS_SIZE);
    expect(stats).toMatchObject({ modeFraction: 1, modeLevel: 255, entropy: 0, edgeFraction: 0, meanGradient: 0, saturatedFraction: 1, mean: 1, std: 0 });
    expect(stats.layout.every((v) => v === 0)).toBe(true);
  });

  it('vertical stripes of 0 and 200 two pixels wide: every other horizontal pair is an edge, no vertical one', () => {
    const side = STATS_SIZE;
    const gray = new Uint8Array(side * side).map((_, i) => ((i % side) >> 1) % 2 === 0 ? 0 : 200);
    const stats = grayStatsOf(gray, side);
    expect(stats.edgeFraction).toBeCloseTo((side / 2 - 1) / (side - 1) / 2, 12); // 27 of 55 pairs per row change level
    expect(stats.entropy).toBeCloseTo(1, 12);
    expect(stats.modeFraction).toBe(0.5);
    expect(stats.modeLevel).toBe(0);
  });

  it('refuses a buffer that does not match its size', () => {
    expect(() => grayStatsOf(new Uint8Array(10), 64)).toThrow(/pixels for 64 x 64/);
  });

  it('brings any storage size to the canonical size: a 224 px image made of 4 x 4 blocks gives those blocks back', () => {
    const small = new Uint8Array(STATS_SIZE * STATS_SIZE).map((_, i) => (i * 37) % 256);
    const big = new Uint8Array(224 * 224).map((_, i) => small[Math.floor(Math.floor(i / 224) / 4) * STATS_SIZE + Math.floor((i % 224) / 4)]);
    expect(canonicalGray(big, 224)).toEqual(small);
    expect(grayStatsOf(big, 224)).toEqual(grayStatsOf(small, STATS_SIZE));
  });

  it('imageStatsOf keeps the colour share it is given, null included', () => {
    const gray = new Uint8Array(224 * 224).fill(90);
    expect(imageStatsOf(gray, 224, null).colourFraction).toBeNull();
    expect(imageStatsOf(gray, 224, 0.25).colourFraction).toBe(0.25);
  });
});

describe('decodeStudyImageWithStats', () => {
  it('takes colour from the browser decoder RGBA and statistics from the gray pixels it returns', async () => {
    const size = 64;
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let i = 0; i < size * size; i++) rgba.set(i < size * size / 4 ? [255, 0, 0, 255] : [80, 80, 80, 255], i * 4);
    const gray = new Uint8Array(size * size).fill(80);
    const fakeBrowser = async (_blob: Blob, s: number, onRgba?: (x: Uint8ClampedArray) => void) => {
      expect(s).toBe(size);
      onRgba?.(rgba);
      return gray;
    };
    const png = new Blob([readFileSync(join(OOD_FIXTURES, 'others', 'bar_chart.png'))]); // 8-bit: the browser route
    const { pixels, stats } = await decodeStudyImageWithStats(png, size, fakeBrowser);
    expect(pixels).toBe(gray);
    expect(stats.colourFraction).toBe(0.25);
    expect(stats.modeFraction).toBe(1);
  });

  it('DICOM: statistics of the decoded pixels, colour not measured', async () => {
    const dcm = new Blob([readFileSync(join(STUDY_FIXTURES, 'dicom', 'mono2_u8_explicit.dcm'))]);
    const neverCalled = async () => {
      throw new Error('the browser decoder must not see a DICOM');
    };
    const { pixels, stats } = await decodeStudyImageWithStats(dcm, 16, neverCalled);
    expect(pixels).toHaveLength(16 * 16);
    expect(stats.colourFraction).toBeNull();
    expect(stats).toEqual(imageStatsOf(pixels, 16, null));
  });

  it('16-bit PNG: the full-range decoder, colour not measured', async () => {
    const png16 = new Blob([readFileSync(join(STUDY_FIXTURES, 'png16', 'padchest_style_16bit.png'))]);
    const neverCalled = async () => {
      throw new Error('the browser decoder must not see a 16-bit PNG');
    };
    const { stats } = await decodeStudyImageWithStats(png16, 32, neverCalled);
    expect(stats.colourFraction).toBeNull();
    expect(stats.std).toBeGreaterThan(0);
  });
});


describe('decodeStudyImageWithStats', () => {
  it('runs the checks first: a text file named .png is refused before any decoder runs', async () => {
    const notPng = Object.assign(new Blob(['hello, not an image']), { name: 'notes.png' });
    const neverCalled = async () => {
      throw new Error('no decoder may see a refused file');
    };
    await expect(decodeStudyImageWithStats(notPng, 64, neverCalled, { path: 'notes.png' })).rejects.toThrow(/not an image/);
  });

  it('decodes a good file with its statistics', async () => {
    const png = new Blob([readFileSync(join(OOD_FIXTURES, 'others', 'bar_chart.png'))]);
    const gray = new Uint8Array(64 * 64).fill(10);
    const { stats } = await decodeStudyImageWithStats(png, 64, async () => gray, { path: 'bar_chart.png' });
    expect(stats.modeLevel).toBe(10);
    expect(stats.colourFraction).toBeNull(); // this fake decoder never shows its RGBA
  });
});

describe('canonicalGray block-mean fast path', () => {
  it.each([2, 3, 4, 5, 8])('gives what resizeGray + toBytes give for factor %i', (factor) => {
    const size = STATS_SIZE * factor;
    let state = 12345 + factor;
    const gray = new Uint8Array(size * size).map(() => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0; // LCG (Numerical Recipes constants): varied levels
      return state >>> 24;
    });
    expect(canonicalGray(gray, size)).toEqual(toBytes(resizeGray(gray, size, size, STATS_SIZE, STATS_SIZE)));
  });
});
