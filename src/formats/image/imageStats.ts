/**
 * Cheap image statistics taken while an image is decoded, for the out-of-distribution guard (src/data/ood/,
 * docs/ood-guard.md): is this a chest radiograph, or a photograph, document or screenshot dropped by mistake?
 * Colour is measured on the RGBA the browser decoder sees (the stored image is gray, so colour is lost after this);
 * everything else is measured on the stored gray image, first brought to a canonical 56 x 56 by area averaging so
 * the numbers do not depend on the storage size (56 = 224 / 4: from the default storage size that is an exact 4 x 4
 * block mean, which Pillow's Image.BOX computes too, so the golden test has an outside reference). Pure functions, a few hundred microseconds per image.
 */
import { resizeGray, toBytes } from './resizeGray';

/** The side of the canonical gray image the statistics are measured on. */
export const STATS_SIZE = 56;
/** The side of the coarse layout grid (8 x 8 blocks of 7 x 7 pixels of the 56 x 56 image). */
export const LAYOUT_SIZE = 8;
/** A pixel is "coloured" when its channels differ by more than this (max - min of R, G, B; 8-bit levels). */
export const CHROMA_LEVELS = 32;
/** A neighbour difference above this many levels counts as an edge. */
export const EDGE_LEVELS = 24;

export interface GrayStats {
  /** Share of pixels at the most frequent gray level (documents and screenshots: their background). */
  modeFraction: number;
  /** That most frequent gray level (0-255; the lowest one on a tie). */
  modeLevel: number;
  /** Shannon entropy (bits) of the histogram in 32 bins of 8 levels; at most 5. */
  entropy: number;
  /** Share of horizontal and vertical neighbour pairs that differ by more than EDGE_LEVELS. */
  edgeFraction: number;
  /** Mean absolute difference of horizontal and vertical neighbours, in levels. */
  meanGradient: number;
  /** Share of pixels at the ends of the range (<= 4 or >= 251). */
  saturatedFraction: number;
  /** Mean and population standard deviation of the gray levels, divided by 255. */
  mean: number;
  std: number;
  /** 8 x 8 block means of the 56 x 56 image, row-major, standardised: (block - mean) / (std + 2). */
  layout: number[];
}

export interface ImageStats extends GrayStats {
  /**
   * Share of pixels whose R, G, B differ by more than CHROMA_LEVELS, measured before the gray conversion;
   * null when the decoder never had colour to measure (DICOM, 16-bit PNG): treated as no colour evidence.
   */
  colourFraction: number | null;
}

/** Share of coloured pixels of an RGBA buffer (alpha ignored). */
export function colourFractionOf(rgba: Uint8Array | Uint8ClampedArray): number {
  const count = rgba.length / 4;
  if (count === 0) return 0;
  let coloured = 0;
  for (let p = 0; p < rgba.length; p += 4) {
    const r = rgba[p];
    const g = rgba[p + 1];
    const b = rgba[p + 2];
    // max - min of three, by comparisons (Math.max / Math.min with three arguments cost 5x more here).
    const hi = r > g ? (r > b ? r : b) : g > b ? g : b;
    const lo = r < g ? (r < b ? r : b) : g < b ? g : b;
    if (hi - lo > CHROMA_LEVELS) coloured++;
  }
  return coloured / count;
}

/**
 * Mean of each factor x factor block, rounded: what resizeGray + toBytes compute for an integer factor (every weight
 * is 1 / factor, every pixel inside one block), with integer sums, 10 x faster. Identical for factors 2 and 4 (the
 * storage sizes 112 and 224: weights 1/2 and 1/4 are exact) and for odd factors (a block mean can never be a
 * half); for other even factors a mean of exactly n + 0.5 may round the other way in resizeGray's float32 sums.
 * tests/data/oodStats.test.ts compares the two paths.
 */
function blockMeans(gray: Uint8Array, size: number, factor: number): Uint8Array {
  const out = new Uint8Array(STATS_SIZE * STATS_SIZE);
  const area = factor * factor;
  for (let by = 0; by < STATS_SIZE; by++) {
    for (let bx = 0; bx < STATS_SIZE; bx++) {
      let sum = 0;
      for (let y = by * factor; y < (by + 1) * factor; y++) {
        const row = y * size;
        for (let x = bx * factor; x < (bx + 1) * factor; x++) sum += gray[row + x];
      }
      out[by * STATS_SIZE + bx] = Math.round(sum / area);
    }
  }
  return out;
}

/** The stored gray image at the canonical 56 x 56 (area average down, bilinear up; rounded to levels). */
export function canonicalGray(gray: Uint8Array, size: number): Uint8Array {
  if (gray.length !== size * size) throw new Error(`canonicalGray: ${gray.length} pixels for ${size} x ${size}`);
  if (size === STATS_SIZE) return gray;
  if (size % STATS_SIZE === 0) return blockMeans(gray, size, size / STATS_SIZE);
  return toBytes(resizeGray(gray, size, size, STATS_SIZE, STATS_SIZE));
}

function layoutOf(small: Uint8Array): number[] {
  const block = STATS_SIZE / LAYOUT_SIZE;
  const means: number[] = [];
  for (let by = 0; by < LAYOUT_SIZE; by++) {
    for (let bx = 0; bx < LAYOUT_SIZE; bx++) {
      let sum = 0;
      for (let y = by * block; y < (by + 1) * block; y++) for (let x = bx * block; x < (bx + 1) * block; x++) sum += small[y * STATS_SIZE + x];
      means.push(sum / (block * block));
    }
  }
  const centre = means.reduce((a, b) => a + b, 0) / means.length;
  const spread = Math.sqrt(means.reduce((a, b) => a + (b - centre) ** 2, 0) / means.length);
  // +2 levels keeps a flat image (spread 0) finite; it is tiny next to a radiograph's spread (~40 levels).
  return means.map((m) => (m - centre) / (spread + 2));
}

/** Statistics of a size x size gray image (the stored pixels). */
export function grayStatsOf(gray: Uint8Array, size: number): GrayStats {
  const g = canonicalGray(gray, size);
  const n = g.length;
  const histogram = new Uint32Array(256);
  let sum = 0;
  let saturated = 0;
  for (let i = 0; i < n; i++) {
    const v = g[i];
    histogram[v]++;
    sum += v;
    if (v <= 4 || v >= 251) saturated++;
  }
  const mean = sum / n;
  let variance = 0;
  let modeCount = 0;
  let modeLevel = 0;
  for (let v = 0; v < 256; v++) {
    variance += histogram[v] * (v - mean) ** 2;
    if (histogram[v] > modeCount) {
      modeCount = histogram[v];
      modeLevel = v;
    }
  }
  let entropy = 0;
  for (let bin = 0; bin < 32; bin++) {
    let count = 0;
    for (let v = bin * 8; v < bin * 8 + 8; v++) count += histogram[v];
    if (count > 0) entropy -= (count / n) * Math.log2(count / n);
  }
  const side = STATS_SIZE;
  let edgesX = 0;
  let edgesY = 0;
  let gradX = 0;
  let gradY = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = g[y * side + x];
      if (x + 1 < side) {
        const d = Math.abs(g[y * side + x + 1] - v);
        gradX += d;
        if (d > EDGE_LEVELS) edgesX++;
      }
      if (y + 1 < side) {
        const d = Math.abs(g[(y + 1) * side + x] - v);
        gradY += d;
        if (d > EDGE_LEVELS) edgesY++;
      }
    }
  }
  const pairs = side * (side - 1);
  return {
    modeFraction: modeCount / n,
    modeLevel,
    entropy: Math.abs(entropy),
    edgeFraction: (edgesX / pairs + edgesY / pairs) / 2,
    meanGradient: (gradX / pairs + gradY / pairs) / 2,
    saturatedFraction: saturated / n,
    mean: mean / 255,
    std: Math.sqrt(variance / n) / 255,
    layout: layoutOf(g),
  };
}

/** All statistics of one decoded image: gray ones from the stored pixels, colour from the decoder's RGBA. */
export function imageStatsOf(gray: Uint8Array, size: number, colourFraction: number | null): ImageStats {
  return { ...grayStatsOf(gray, size), colourFraction };
}
