import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflightImage } from '../../src/formats/image/preflight';
import { FIXTURES } from './helpers';

const file = (...parts: string[]) => new Uint8Array(readFileSync(join(FIXTURES, ...parts)));

describe('preflightImage: bad files are caught before decoding', () => {
  const cases: [string, string[], RegExp | null][] = [
    ['zero-byte file', ['bad', 'zero_byte.png'], /^zero-byte file$/],
    ['truncated PNG', ['bad', 'truncated.png'], /truncated PNG/],
    ['truncated JPEG', ['bad', 'truncated.jpeg'], /truncated JPEG/],
    ['text file named .png', ['bad', 'not_an_image.png'], /not an image: the content is not PNG despite the .png extension/],
    ['4096 x 4096 PNG (now within the limit: decoded row by row)', ['bad', 'huge_4096.png'], null],
    ['unsupported DICOM', ['dicom', 'unsupported_jpeg2000.dcm'], /unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000/],
    ['complete PNG', ['bad', 'complete.png'], null],
    ['complete JPEG', ['bad', 'complete.jpeg'], null],
    ['16-bit PNG', ['png16', 'padchest_style_16bit.png'], null],
    ['JPEG Baseline DICOM', ['dicom', 'siim_sample_jpeg_baseline.dcm'], null],
    ['uncompressed DICOM', ['dicom', 'mono2_s16_rescale_implicit.dcm'], null],
  ];
  for (const [what, parts, expected] of cases) {
    it(what, () => {
      const path = parts.join('/');
      const problem = preflightImage(file(...parts), path);
      if (expected === null) expect(problem).toBeNull();
      else {
        expect(problem?.path).toBe(path);
        expect(problem?.reason).toMatch(expected);
      }
    });
  }

  it('the pixel limit is a parameter', () => {
    expect(preflightImage(file('bad', 'huge_4096.png'), 'h.png', { maxPixels: 4096 * 4096 })).toBeNull();
    expect(preflightImage(file('bad', 'huge_4096.png'), 'h.png', { maxPixels: 4096 * 4096 - 1 })?.reason).toMatch(/image too large: 4096 x 4096 = 16,777,216 pixels \(limit 16,777,215 pixels/);
    expect(preflightImage(file('bad', 'complete.png'), 'c.png', { maxPixels: 100 })?.reason).toMatch(/128 x 128/);
  });

  it('a file without image content and an unknown extension says so', () => {
    expect(preflightImage(new TextEncoder().encode('hello'), 'notes.bin')?.reason).toBe('not an image (not PNG, JPEG, DICOM, BMP or WebP)');
  });
});
