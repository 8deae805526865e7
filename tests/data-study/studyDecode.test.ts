import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStudyImage, type BrowserDecode } from '../../src/formats/image/decodeImage';
import { FIXTURES } from './helpers';

describe('decodeStudyImage routes each file to the decoder that keeps its content', () => {
  const calls: string[] = [];
  const browserDecode: BrowserDecode = async (_blob, size) => {
    calls.push('browser');
    return new Uint8Array(size * size).fill(7);
  };

  it('DICOM -> dicom decoder, 16-bit PNG -> full-range decoder, 8-bit PNG and JPEG -> browser', async () => {
    const at = (...p: string[]) => openAsBlob(join(FIXTURES, ...p));
    const dicom = await decodeStudyImage(await at('dicom', 'mono2_u8_explicit.dcm'), 8, browserDecode);
    expect(dicom[0]).toBe(0);
    expect(dicom[63]).toBe(255);
    const png16 = await decodeStudyImage(await at('png16', 'padchest_style_16bit.png'), 16, browserDecode);
    expect(png16).toHaveLength(256);
    expect(calls).toEqual([]);
    await decodeStudyImage(await at('bad', 'complete.png'), 4, browserDecode);
    await decodeStudyImage(await at('bad', 'complete.jpeg'), 4, browserDecode);
    expect(calls).toEqual(['browser', 'browser']);
  });

  it('an unsupported DICOM rejects with the transfer syntax, per file', async () => {
    await expect(decodeStudyImage(await openAsBlob(join(FIXTURES, 'dicom', 'unsupported_jpeg2000.dcm')), 8, browserDecode)).rejects.toThrow(
      /unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90/,
    );
  });
});
