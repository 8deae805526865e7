import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeDicom, extractJpegFrame, type JpegDecoder } from '../../src/formats/image/dicom';
import { sniffJpeg } from '../../src/formats/image/imageHeader';
import { FIXTURES } from './helpers';

const DIR = join(FIXTURES, 'dicom');
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const golden = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as Record<string, Record<string, number[] | string>>;
const siim = JSON.parse(readFileSync(join(DIR, 'siim_facts.json'), 'utf8'));

/** Every value within ±1 (numpy rounds half to even, Math.round half up). */
function expectClose(actual: Uint8Array, expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...expected.map((e, i) => Math.abs(e - actual[i])));
  expect(worst).toBeLessThanOrEqual(1);
}

const IDENTIFYING = ['Doe^Jane', 'PAT-ID-12345', '19700101', '16d7f894-55d7-4d95-8957-d18987f0e981'];

describe('uncompressed DICOM', () => {
  for (const name of Object.keys(golden)) {
    it(`${name}: windowing / stretch, inversion and sign handling match numpy`, async () => {
      for (const size of [8, 4]) {
        const image = await decodeDicom(bytesOf(name), { size });
        expectClose(image.pixels, golden[name][String(size)] as number[]);
        expect(image.scaling).toBe(golden[name].scaling);
        expect(image.sourceWidth).toBe(8);
      }
    });
  }

  it('MONOCHROME1 is inverted: the lowest stored value becomes white', async () => {
    const image = await decodeDicom(bytesOf('mono1_u16_window_explicit.dcm'), { size: 8 });
    expect(image.photometric).toBe('MONOCHROME1');
    expect(image.pixels[1]).toBe(255); // stored 64, far below the window -> 0 -> inverted 255
    expect(image.pixels[63]).toBe(0); // stored 4032, above the window
  });

  it('never returns, or puts in errors, identifying attributes', async () => {
    const image = await decodeDicom(bytesOf('mono2_u8_explicit.dcm'), { size: 4 });
    const text = JSON.stringify({ ...image, pixels: [...image.pixels] });
    for (const value of IDENTIFYING) expect(text).not.toContain(value);
    expect(Object.keys(image).sort()).toEqual(['bitsAllocated', 'frames', 'photometric', 'pixels', 'scaling', 'size', 'sourceHeight', 'sourceWidth', 'transferSyntax']);
  });

  it('an unsupported transfer syntax is a per-file Error with UID and name', async () => {
    await expect(decodeDicom(bytesOf('unsupported_jpeg2000.dcm'), { size: 8 })).rejects.toThrow(
      'unsupported DICOM transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only))',
    );
  });

  it('corrupt input gives a readable Error, not a crash', async () => {
    await expect(decodeDicom(new Uint8Array(0), { size: 8 })).rejects.toThrow('zero-byte file');
    await expect(decodeDicom(new TextEncoder().encode('hello, not a dicom'), { size: 8 })).rejects.toThrow(/not a readable DICOM file/);
    const cut = bytesOf('mono1_u16_window_explicit.dcm').slice(0, 520);
    await expect(decodeDicom(cut, { size: 8 })).rejects.toThrow(/DICOM|truncated/);
  });
});

describe('real JPEG Baseline DICOM (SIIM, as RSNA ships its images)', () => {
  const bytes = bytesOf('siim_sample_jpeg_baseline.dcm');

  it('finds the JPEG frame: SOI marker, 1024 x 1024 baseline, same bytes as an independent byte scan', () => {
    const frame = extractJpegFrame(dicomParser.parseDicom(bytes));
    expect([frame[0], frame[1]]).toEqual([0xff, 0xd8]);
    expect(frame.length).toBe(siim.frameLength);
    expect(createHash('sha256').update(frame).digest('hex')).toBe(siim.frameSha256);
    expect(sniffJpeg(frame)).toEqual({ width: 1024, height: 1024, components: 1, process: 0, precision: 8, orientation: 1 });
  });

  it('hands the frame to the injected JPEG decoder and stretches / resizes its gray output', async () => {
    // Node has no JPEG decoder: this stand-in checks it received the exact frame and returns Pillow's decode of
    // it (box-downscaled to 64 x 64 by the fixture script). The browser passes createImageBitmap's decode.
    const pil = decode(readFileSync(join(DIR, 'siim_frame_pil_64.png')));
    let received: Uint8Array | null = null;
    const decodeJpeg: JpegDecoder = async (jpeg) => {
      received = jpeg;
      return { width: pil.width, height: pil.height, channels: pil.channels, data: pil.data };
    };
    const image = await decodeDicom(bytes, { size: 16, decodeJpeg });
    expect(createHash('sha256').update(received!).digest('hex')).toBe(siim.frameSha256);
    expect(image).toMatchObject({ transferSyntax: '1.2.840.10008.1.2.4.50', photometric: 'MONOCHROME2', scaling: 'min-max', size: 16 });
    expectClose(image.pixels, siim.expected16FromPil64);
    const text = JSON.stringify({ ...image, pixels: [] });
    for (const value of IDENTIFYING) expect(text).not.toContain(value);
  });
});
