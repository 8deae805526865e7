/** The overlay's colour map against matplotlib's inferno (golden: scripts/golden_heat_colours.py), and its RGBA. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { colourise, grayRgba, heatColour, heatCoverage } from '../../src/ui/view/heatColours';

const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/heat_colours.json', import.meta.url), 'utf8')) as { rgb: number[][] };

describe('heatColour (inferno)', () => {
  it('is matplotlib\'s inferno at its 33 stops exactly and within 2 of 255 per channel everywhere', () => {
    for (let v = 0; v <= 255; v += 8) expect(heatColour(v)).toEqual(golden.rgb[v]);
    expect(heatColour(255)).toEqual(golden.rgb[255]);
    let worst = 0;
    for (let v = 0; v <= 255; v++) heatColour(v).forEach((c, k) => (worst = Math.max(worst, Math.abs(c - golden.rgb[v][k]))));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('gets brighter with heat, from near black to pale yellow, and clamps outside 0..255', () => {
    const luma = (v: number) => {
      const [r, g, b] = heatColour(v);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let v = 16; v <= 255; v += 16) expect(luma(v)).toBeGreaterThan(luma(v - 16));
    expect(luma(0)).toBeLessThan(5);
    expect(luma(255)).toBeGreaterThan(240);
    expect(heatColour(-5)).toEqual(heatColour(0));
    expect(heatColour(300)).toEqual(heatColour(255));
  });
});

describe('RGBA for the canvases', () => {
  it('colourise: inferno colour with alpha = heat, so zero heat is transparent', () => {
    const rgba = colourise([0, 128, 255]);
    expect([...rgba.slice(0, 4)]).toEqual([...golden.rgb[0], 0]);
    expect([...rgba.slice(4, 8)]).toEqual([...heatColour(128), 128]);
    expect([...rgba.slice(8, 12)]).toEqual([...golden.rgb[255], 255]);
  });

  it('grayRgba: opaque gray', () => {
    expect([...grayRgba([0, 77, 255])]).toEqual([0, 0, 0, 255, 77, 77, 77, 255, 255, 255, 255, 255]);
  });

  it('heatCoverage: the share of pixels at or above half heat', () => {
    expect(heatCoverage([0, 127, 128, 255])).toBe(0.5);
    expect(heatCoverage([])).toBe(0);
  });
});
