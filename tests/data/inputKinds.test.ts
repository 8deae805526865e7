/**
 * docs/input-kinds.md, the Node half: every kind whose handling does not need the browser's decoder, with the
 * fixtures of scripts/make_input_kinds.py (real radiographs made bad or odd). The browser half (8-bit PNG, JPEG,
 * BMP, WebP decoded by Chromium, large images and their memory) is e2e/bad-input.spec.ts and
 * e2e/large-images.spec.ts.
 */
import { openAsBlob, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIgnoredPath } from '../../src/data/fileSource';
import { ingestDataset } from '../../src/data/ingest';
import { parseDataset } from '../../src/data/layouts/registry';
import { decodeRouteOf, decodeStudyImage } from '../../src/formats/image/decodeImage';
import { decodeDicom, type JpegDecoder } from '../../src/formats/image/dicom';
import { KNOWN_TRANSFER_SYNTAXES, isSupportedTransferSyntax } from '../../src/formats/image/dicomSyntaxes';
import { sniffJpeg } from '../../src/formats/image/imageHeader';
import { decodePngToGray } from '../../src/formats/image/png16';
import { preflightImage } from '../../src/formats/image/preflight';
import { freshDb } from './helpers';
import type { FileEntry } from '../../src/run/datasets';

const REPO = resolve(__dirname, '..', '..');
const KINDS = join(REPO, 'e2e', 'fixtures', 'input-kinds');
const LARGE = join(REPO, 'e2e', 'fixtures', 'large-images');
const CSV = join(REPO, 'tests', 'fixtures', 'input-kinds', 'csv');
const SIZE = 16;

const bytesOf = (...parts: string[]) => new Uint8Array(readFileSync(join(KINDS, ...parts)));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

/** The folder as a drop gives it: File objects named like the files, paths from the folder's name down. */
async function folderFiles(dir: string): Promise<FileEntry[]> {
  return Promise.all(
    walk(dir).sort().map(async (full) => {
      const name = full.slice(full.lastIndexOf('/') + 1);
      return { path: relative(resolve(dir, '..'), full), file: new File([await openAsBlob(full)], name) };
    }),
  );
}

/** Stands in for Chromium's decoder: records which files it was given. */
function browserStandIn() {
  const names: string[] = [];
  return {
    names,
    decode: async (blob: Blob, size: number) => {
      names.push((blob as File).name);
      return new Uint8Array(size * size).fill(1);
    },
  };
}

const jpegStandIn: JpegDecoder = async () => ({ width: 2, height: 2, channels: 1, data: [10, 20, 30, 40] });

describe('the mixed input-kinds folder, decoded in Node (browser formats stood in for)', () => {
  it('lists every refused file with its reason, says nothing of hidden files, ingests the rest', async () => {
    const files = (await folderFiles(KINDS)).filter((f) => !isIgnoredPath(f.path)); // as fileSource hands them over
    const browser = browserStandIn();
    const result = await ingestDataset(files, {
      name: 'input kinds', storageSize: SIZE, db: await freshDb(),
      decode: (blob, size) => decodeStudyImage(blob, size, browser.decode, { decodeJpeg: jpegStandIn }),
    });
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.path.replace('input-kinds/', ''), s.reason]));
    const expected: Record<string, RegExp> = {
      'NORMAL/zero_byte.png': /^zero-byte file$/,
      'NORMAL/truncated.png': /^truncated PNG \(no IEND chunk/,
      'NORMAL/truncated.jpeg': /^truncated JPEG \(no end-of-image marker\)/,
      'NORMAL/text_named.png': /^not an image: the content is not PNG despite the \.png extension$/,
      'NORMAL/corrupt_header.png': /^corrupt PNG: no valid IHDR header$/,
      'NORMAL/twelve_bit.jpeg': /^12-bit JPEG is not decoded by browsers/,
      'NORMAL/notes.txt': /^not an image \(expected \.png, \.jpg, \.jpeg, \.dcm, \.bmp or \.webp\)$/,
      'NORMAL/original.png': /^same content as input-kinds\/NORMAL\/copy of original\.png: stored once$/,
      'PNEUMONIA/animation.gif': /^GIF is not a radiograph format/,
      'PNEUMONIA/scan.tiff': /^TIFF images are not decoded by browsers; convert them to PNG/,
      'PNEUMONIA/beyond_limit_20000.png': /^image too large: 20000 x 20000 = 400,000,000 pixels \(limit 268,435,456 pixels and 65,535 a side/,
      'PNEUMONIA/dicom_no_pixel_data.dcm': /^DICOM has no pixel data \(7FE0,0010\)/,
      'PNEUMONIA/dicom_jpeg_lossless.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.70 \(JPEG Lossless, Non-Hierarchical, First-Order Prediction/,
      'PNEUMONIA/dicom_jpeg_ls.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.80 \(JPEG-LS Lossless\)/,
      'PNEUMONIA/dicom_rle.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\)/,
      'PNEUMONIA/dicom_jpeg2000.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.91 \(JPEG 2000 Image Compression\)/,
      'PNEUMONIA/dicom_htj2k.dcm': /^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201 \(High-Throughput JPEG 2000/,
    };
    for (const [path, reason] of Object.entries(expected)) expect(reasons[path] ?? `(not refused: ${JSON.stringify(reasons)})`, path).toMatch(reason);
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(expected).sort());
    // Hidden and system files: neither reported nor stored.
    expect(result.skipped.some((s) => /DS_Store|Thumbs|desktop\.ini|__MACOSX|\/\._/.test(s.path))).toBe(false);
    // DICOM variants, 16-bit PNG: decoded here; every browser format went to the browser's decoder.
    expect(browser.names.sort()).toEqual(
      ['Röntgen Bild #1 ü.png', 'bitmap.bmp', 'cmyk.jpg', 'copy of original.png', 'corrupt_data.png', 'exif_rotated.jpg', 'exif_upright_reference.jpg', 'good_normal_0.png', 'good_normal_1.png', 'good_normal_2.png', 'good_normal_3.png', 'good_pneumonia_0.png', 'good_pneumonia_1.png', 'good_pneumonia_2.png', 'good_pneumonia_3.png', 'gray_alpha.png', 'jpeg_named.png', 'lossless.webp', 'one_pixel.png', 'palette.png', 'png_named.jpg', 'progressive.jpg', 'rgba.png', 'tall_40x4000.png', 'wide_4000x40.png'].sort(),
    );
    const dicomsDecoded = ['dicom_monochrome1', 'dicom_signed16', 'dicom_no_preamble', 'dicom_bare_dataset', 'dicom_multiframe', 'dicom_multiframe_jpeg', 'dicom_deflated', 'dicom_big_endian', 'dicom_implicit'];
    expect(result.ingested).toBe(browser.names.length + dicomsDecoded.length + 1); // + gray_16bit.png
    expect(result.manifest.notes).toContain('1 files have the same content as another file and were stored once.');
    expect(result.manifest.notes.find((n) => /multi-frame DICOMs/.test(n))).toMatch(/^2 multi-frame DICOMs: only the first frame of each was stored \(.*dicom_multiframe\.dcm: 3 frames.*dicom_multiframe_jpeg\.dcm: 2 frames/);
  });
});

describe('DICOM kinds', () => {
  const variants = ['dicom_implicit.dcm', 'dicom_no_preamble.dcm', 'dicom_bare_dataset.dcm', 'dicom_deflated.dcm', 'dicom_big_endian.dcm', 'dicom_multiframe.dcm', 'dicom_monochrome1.dcm', 'dicom_signed16.dcm'];

  it('the same 12-bit radiograph as implicit / explicit VR, without preamble, bare, deflated, big endian, multi-frame, MONOCHROME1, signed: one image', async () => {
    const decoded = await Promise.all(variants.map(async (name) => ({ name, image: await decodeDicom(bytesOf('PNEUMONIA', name), { size: SIZE }) })));
    const reference = decoded[0].image.pixels;
    expect(new Set(reference).size).toBeGreaterThan(20); // a radiograph, not a flat field
    for (const { name, image } of decoded) {
      const worst = Math.max(...Array.from(image.pixels, (v, i) => Math.abs(v - reference[i])));
      expect(worst, name).toBeLessThanOrEqual(1);
    }
    expect(decoded.find((d) => d.name === 'dicom_multiframe.dcm')!.image.frames).toBe(3);
    expect(decoded.find((d) => d.name === 'dicom_monochrome1.dcm')!.image.photometric).toBe('MONOCHROME1');
  });

  it('multi-frame JPEG: the decoder gets exactly the first frame', async () => {
    const bytes = bytesOf('PNEUMONIA', 'dicom_multiframe_jpeg.dcm');
    const got: Uint8Array[] = [];
    const image = await decodeDicom(bytes, { size: SIZE, decodeJpeg: async (jpeg) => (got.push(jpeg), { width: 2, height: 2, channels: 1, data: [0, 1, 2, 3] }) });
    expect(image.frames).toBe(2);
    // The two frames' JPEG streams, found by a plain byte scan (SOI ... EOI) after the pixel data tag.
    const text = Array.from(bytes, (b) => String.fromCharCode(b)).join('');
    const first = text.indexOf('\xff\xd8\xff');
    const end = text.indexOf('\xff\xd9', first) + 2;
    expect(got).toHaveLength(1);
    expect(Array.from(got[0])).toEqual(Array.from(bytes.subarray(first, end)));
  });

  it('every transfer syntax the lab does not decode is refused with its UID and name', () => {
    const unsupported = KNOWN_TRANSFER_SYNTAXES.filter((uid) => !isSupportedTransferSyntax(uid));
    expect(unsupported.length).toBeGreaterThan(40);
    const template = bytesOf('PNEUMONIA', 'dicom_jpeg2000.dcm');
    for (const uid of unsupported) {
      const reason = preflightImage(withTransferSyntax(template, uid), 'x.dcm')?.reason ?? '';
      expect(reason, uid).toMatch(new RegExp(`^unsupported DICOM transfer syntax ${uid.replace(/\./g, '\\.')} \\([A-Z]`));
      expect(reason, uid).not.toContain('unknown transfer syntax');
    }
  });
});

/** The same Part 10 file with another Transfer Syntax UID (element 0002,0010 and the group length rewritten). */
function withTransferSyntax(file: Uint8Array, uid: string): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 132 + 12; // past the preamble, "DICM" and (0002,0000) UL 4
  const groupLengthAt = 132 + 8;
  while (view.getUint16(at, true) === 0x0002 && view.getUint16(at + 2, true) !== 0x0010) {
    // Explicit VR LE: OB has 2 reserved bytes and a 32-bit length (PS3.5 7.1.2), the meta group's others a 16-bit one.
    at += String.fromCharCode(file[at + 4], file[at + 5]) === 'OB' ? 12 + view.getUint32(at + 8, true) : 8 + view.getUint16(at + 6, true);
  }
  const oldLength = view.getUint16(at + 6, true);
  const value = new TextEncoder().encode(uid.length % 2 ? `${uid}\0` : uid);
  const out = new Uint8Array(file.length - oldLength + value.length);
  out.set(file.subarray(0, at + 8));
  out.set(value, at + 8);
  out.set(file.subarray(at + 8 + oldLength), at + 8 + value.length);
  const outView = new DataView(out.buffer);
  outView.setUint16(at + 6, value.length, true);
  outView.setUint32(groupLengthAt, view.getUint32(groupLengthAt, true) - oldLength + value.length, true);
  return out;
}

describe('image kinds decided from the header', () => {
  it('wrong extension both ways: the content decides (PNG named .jpg, JPEG named .png are accepted)', () => {
    expect(preflightImage(bytesOf('NORMAL', 'png_named.jpg'), 'png_named.jpg')).toBeNull();
    expect(preflightImage(bytesOf('NORMAL', 'jpeg_named.png'), 'jpeg_named.png')).toBeNull();
  });

  it('BMP and WebP are accepted for the browser decoder; TIFF and GIF are refused with what to do', () => {
    expect(preflightImage(bytesOf('PNEUMONIA', 'bitmap.bmp'), 'b.bmp')).toBeNull();
    expect(preflightImage(bytesOf('PNEUMONIA', 'lossless.webp'), 'l.webp')).toBeNull();
    expect(decodeRouteOf(bytesOf('PNEUMONIA', 'bitmap.bmp'))).toBe('browser');
    expect(preflightImage(bytesOf('PNEUMONIA', 'scan.tiff'), 's.tiff')?.reason).toMatch(/TIFF .* convert them to PNG/);
    expect(preflightImage(bytesOf('PNEUMONIA', 'animation.gif'), 'a.gif')?.reason).toMatch(/^GIF is not a radiograph format/);
    // A JPEG 2000 file (ISO/IEC 15444-1 annex I: the 12-byte signature box, then "ftyp").
    const jp2 = Uint8Array.from([0, 0, 0, 12, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 20, 0x66, 0x74, 0x79, 0x70]);
    expect(preflightImage(jp2, 'x.jp2')?.reason).toMatch(/^JPEG 2000 images are not decoded by browsers; convert them to PNG$/);
  });

  it('EXIF orientation is read from the JPEG header (the browser applies it; e2e checks the stored pixels)', () => {
    expect(sniffJpeg(bytesOf('PNEUMONIA', 'exif_rotated.jpg'))?.orientation).toBe(6);
    expect(sniffJpeg(bytesOf('PNEUMONIA', 'exif_upright_reference.jpg'))?.orientation).toBe(1);
  });

  it('16-bit, palette, RGBA, grey + alpha, 1 x 1 and 40 x 4000 PNGs all decode in the row decoder too', async () => {
    for (const name of ['gray_16bit.png', 'palette.png', 'rgba.png', 'gray_alpha.png', 'one_pixel.png', 'tall_40x4000.png', 'wide_4000x40.png']) {
      const pixels = await decodePngToGray(bytesOf('PNEUMONIA', name), SIZE);
      expect(pixels, name).toHaveLength(SIZE * SIZE);
      if (name === 'one_pixel.png') expect(new Set(pixels)).toEqual(new Set([128]));
      else expect(new Set(pixels).size, name).toBeGreaterThan(10);
    }
  });
});

describe('large valid images: 8,000 x 8,000, 8 and 16 bit, decoded row by row in bounded memory', () => {
  for (const name of ['large_8000_gray8.png', 'large_8000_gray16.png']) {
    it(name, async () => {
      const blob = await openAsBlob(join(LARGE, 'NORMAL', name));
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        const pixels = await decodePngToGray(blob, 224);
        // The radiograph sits in the middle eighth of a black canvas.
        expect(pixels[112 * 224 + 112]).toBeGreaterThan(0);
        expect(pixels[0]).toBe(0);
      } finally {
        clearInterval(sampler);
      }
      // A whole decode would hold 64 MB (8-bit) or 128 MB (16-bit) of samples, twice with the inflated stream.
      expect((peak - before) / 2 ** 20, 'MiB of resident memory added while decoding').toBeLessThan(48);
    }, 60_000);
  }
});

describe('index-file kinds', () => {
  const nihImages = ['00000001_000.png', '00000002_000.png', '00000003_000.png'].map((n) => ({ path: `set/images/${n}`, file: new Blob(['x']) }));
  const csv = async (name: string, as = 'Data_Entry_2017_v2020.csv'): Promise<FileEntry> => ({ path: `set/${as}`, file: new File([await openAsBlob(join(CSV, name))], as) });

  it('a BOM and CRLF line ends are read like a plain file', async () => {
    const parsed = await parseDataset([await csv('nih_bom_crlf.csv'), ...nihImages]);
    expect(parsed.layout).toBe('nih');
    expect(parsed.entries.map((e) => e.path)).toEqual(nihImages.map((i) => i.path));
    expect(parsed.problems).toEqual([]);
  });

  it('a semicolon separator is recognised', async () => {
    const parsed = await parseDataset([await csv('nih_semicolon.csv'), ...nihImages]);
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.entries[2].labels[parsed.labels.indexOf('Hernia')]).toBe(1);
  });

  it('a duplicate row is reported and the image used once', async () => {
    const parsed = await parseDataset([await csv('nih_duplicate_rows.csv'), ...nihImages]);
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.problems).toEqual([{ path: 'set/images/00000001_000.png', reason: 'listed twice in Data_Entry_2017_v2020.csv; the first row is used' }]);
  });

  it('an unknown label is reported per image and the image left out', async () => {
    const parsed = await parseDataset([await csv('nih_unknown_label.csv'), ...nihImages]);
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.problems).toEqual([{ path: 'set/images/00000002_000.png', reason: "unknown label 'Alien Finding' in Data_Entry_2017_v2020.csv" }]);
  });

  it('rows without images and images without rows are listed', async () => {
    const parsed = await parseDataset([await csv('nih_bom_crlf.csv'), nihImages[0], nihImages[1], { path: 'set/images/00000099_000.png', file: new Blob(['x']) }]);
    expect(parsed.problems).toEqual([
      { path: '00000003_000.png', reason: 'row in Data_Entry_2017_v2020.csv but no image with this name' },
      { path: 'set/images/00000099_000.png', reason: 'image has no row in Data_Entry_2017_v2020.csv' },
    ]);
  });

  it('a missing required column is named', async () => {
    await expect(parseDataset([await csv('nih_missing_column.csv'), ...nihImages])).rejects.toThrow("Data_Entry_2017_v2020.csv: missing column 'Patient ID'");
  });

  it('quoted commas in a generic CSV keep the path whole', async () => {
    const parsed = await parseDataset([await csv('generic_quoted_commas.csv', 'labels.csv'), { path: 'set/images/a, b.png', file: new Blob(['x']) }, { path: 'set/images/c.png', file: new Blob(['x']) }], { layout: 'generic-csv', parserOptions: { labelColumns: ['Pneumonia'] } });
    expect(parsed.entries.map((e) => e.path).sort()).toEqual(['set/images/a, b.png', 'set/images/c.png']);
  });
});
