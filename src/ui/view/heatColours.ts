/**
 * Pixels for the two canvases of an opened image: the stored 8-bit radiograph as gray RGBA, and a saliency map's
 * 8-bit heat values coloured with matplotlib's perceptually uniform 'inferno' map (van der Walt & Smith, 2015; CC0),
 * readable in gray and by colour-blind viewers. A pixel's alpha is its heat, so regions the map gives nothing stay
 * clear and the radiograph shows through; the page's opacity slider scales the whole overlay on top of that.
 * Pure (no DOM): tested against matplotlib in tests/ui/heatColours.test.ts (golden: scripts/golden_heat_colours.py).
 */

/** inferno(v / 255) at v = 0, 8, 16, ..., 248 and 255, 8-bit RGB (matplotlib 3.6). */
const INFERNO_STOPS: readonly (readonly [number, number, number])[] = [
  [0, 0, 4], [4, 3, 18], [11, 7, 36], [21, 11, 55], [33, 12, 74], [47, 10, 91], [61, 9, 101], [74, 12, 107],
  [87, 16, 110], [100, 21, 110], [113, 25, 110], [125, 30, 109], [138, 34, 106], [151, 39, 102], [163, 44, 97],
  [176, 49, 91], [188, 55, 84], [199, 62, 76], [210, 70, 68], [219, 80, 59], [228, 90, 49], [235, 102, 40],
  [241, 115, 29], [246, 128, 19], [249, 142, 9], [251, 157, 7], [252, 172, 17], [251, 188, 33], [249, 203, 53],
  [245, 219, 76], [242, 234, 105], [243, 246, 138], [252, 255, 164],
];

const STOP_EVERY = 8;
const stopLevel = (i: number) => Math.min(255, i * STOP_EVERY);

/** The colour of heat value v (0..255, clamped), linear between the stops. */
export function heatColour(v: number): [number, number, number] {
  const level = Math.min(255, Math.max(0, v));
  const i = Math.min(INFERNO_STOPS.length - 2, Math.floor(level / STOP_EVERY));
  const lo = stopLevel(i);
  const t = (level - lo) / (stopLevel(i + 1) - lo);
  const a = INFERNO_STOPS[i];
  const b = INFERNO_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * t)) as [number, number, number];
}

/** The 256 colours once (a map of 224 x 224 pixels is coloured by lookup). */
const TABLE: readonly [number, number, number][] = Array.from({ length: 256 }, (_, v) => heatColour(v));

/** Heat values (row-major) -> RGBA for ImageData: inferno colour, alpha = heat. */
export function colourise(heat: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(heat.length * 4);
  for (let i = 0; i < heat.length; i++) {
    const v = Math.min(255, Math.max(0, Math.round(heat[i])));
    const [r, g, b] = TABLE[v];
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = v;
  }
  return out;
}

/** 8-bit grayscale (row-major) -> opaque gray RGBA for ImageData. */
export function grayRgba(pixels: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) {
    out[i * 4] = pixels[i];
    out[i * 4 + 1] = pixels[i];
    out[i * 4 + 2] = pixels[i];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Share of the overlay's pixels with any heat (alpha > 0): the page says how much of the image the map marks. */
export function heatCoverage(heat: ArrayLike<number>, atLeast = 128): number {
  if (heat.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < heat.length; i++) if (heat[i] >= atLeast) n++;
  return n / heat.length;
}
