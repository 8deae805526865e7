#!/usr/bin/python3
"""Writes the bad and odd input fixtures of docs/input-kinds.md, made from real radiographs:

- e2e/fixtures/input-kinds/{NORMAL,PNEUMONIA}/: one class-folder dataset mixing good images with every image kind
  the table lists (broken, odd formats and encodings, DICOM variants, names, copies, hidden files), dropped whole by
  e2e/bad-input.spec.ts and read file by file by tests/data/inputKinds.test.ts;
- e2e/fixtures/large-images/{NORMAL,PNEUMONIA}/: 8,000 x 8,000 PNG (8 and 16 bit) and JPEG (baseline and progressive)
  radiographs on a black canvas (small files, full-size decodes) for e2e/large-images.spec.ts;
- tests/fixtures/input-kinds/csv/: index files with a BOM, CRLF, quoted commas, semicolons, duplicate rows, an
  unknown label and a missing column, for the NIH and generic-CSV layouts.

Run from the repository root with Debian's Python: /usr/bin/python3 scripts/make_input_kinds.py
Needs numpy and Pillow (python3-numpy, python3-pil with WebP and libtiff). Sources: ../shared/data (README there).
DICOMs are written byte by byte (PS3.10 Part 10, PS3.5 encodings) with scripts/make_broken_fixtures.py's writer.
"""
import io
import os
import shutil
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_broken_fixtures import element, us  # noqa: E402  (same element encoding as the other DICOM fixtures)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ['CXR_SHARED_DATA']) if os.environ.get('CXR_SHARED_DATA') else ROOT.parent / 'shared' / 'data'
KINDS = ROOT / 'e2e' / 'fixtures' / 'input-kinds'
LARGE = ROOT / 'e2e' / 'fixtures' / 'large-images'
CSV = ROOT / 'tests' / 'fixtures' / 'input-kinds' / 'csv'
KERMANY = SHARED / 'kermany-pneumonia-224' / 'dataset' / 'train'
NIH = SHARED / 'nih-sample' / 'images'
SIIM = SHARED / 'real-index' / 'siim_sample_jpeg_baseline.dcm'


def kermany(cls, index, size=64):
    files = sorted((KERMANY / cls).glob('*.jpeg'))
    return Image.open(files[index]).convert('L').resize((size, size), Image.BOX)


def nih(index, size):
    files = sorted(NIH.glob('*.png'))
    return Image.open(files[index]).convert('L').resize((size, size), Image.BOX)


def save(img, path, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **options)


# ---------------------------------------------------------------- DICOM writers
CR_STORAGE = b'1.2.840.10008.5.1.4.1.1.1'


def meta_group(transfer_syntax):
    body = b''.join([
        element(0x0002, 0x0001, b'OB', b'\x00\x01'),
        element(0x0002, 0x0002, b'UI', CR_STORAGE),
        element(0x0002, 0x0003, b'UI', b'1.2.826.0.1.3680043.2.1125.1.2'),
        element(0x0002, 0x0010, b'UI', transfer_syntax.encode()),
    ])
    return element(0x0002, 0x0000, b'UL', struct.pack('<I', len(body))) + body


def image_elements(rows, cols, *, bits, photometric='MONOCHROME2', signed=False, frames=None, encode=element):
    out = [
        encode(0x0008, 0x0060, b'CS', b'CR'),
        encode(0x0010, 0x0010, b'PN', b'Doe^Jane'),  # fake identifiers: must never surface
        encode(0x0010, 0x0020, b'LO', b'PAT-ID-12345'),
        encode(0x0028, 0x0002, b'US', struct.pack('>H', 1) if encode is element_be else us(1)),
        encode(0x0028, 0x0004, b'CS', photometric.encode()),
    ]
    pack = (lambda v: struct.pack('>H', v)) if encode is element_be else us
    if frames:
        out.append(encode(0x0028, 0x0008, b'IS', str(frames).encode()))
    out += [
        encode(0x0028, 0x0010, b'US', pack(rows)),
        encode(0x0028, 0x0011, b'US', pack(cols)),
        encode(0x0028, 0x0100, b'US', pack(bits)),
        encode(0x0028, 0x0101, b'US', pack(bits if bits == 8 else 12)),
        encode(0x0028, 0x0102, b'US', pack((bits if bits == 8 else 12) - 1)),
        encode(0x0028, 0x0103, b'US', pack(1 if signed else 0)),
    ]
    return out


def element_be(group, elem, vr, value):
    """Explicit VR big endian (PS3.5 7.3, retired transfer syntax 1.2.840.10008.1.2.2)."""
    if len(value) % 2:
        value += b'\0' if vr in (b'UI', b'OB') else b' '
    tag = struct.pack('>HH', group, elem)
    if vr in (b'OB', b'OW', b'SQ', b'UN'):
        return tag + vr + b'\0\0' + struct.pack('>I', len(value)) + value
    return tag + vr + struct.pack('>H', len(value)) + value


def twelve_bit(img):
    return (np.asarray(img, dtype=np.uint16) * 16).astype(np.uint16)


def write_part10(path, transfer_syntax, dataset):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'\0' * 128 + b'DICM' + meta_group(transfer_syntax) + dataset)


def encapsulated(frames_jpeg, offsets=True):
    """PS3.5 A.4: Basic Offset Table item, one fragment per frame, sequence delimiter."""
    items = []
    table = b''
    at = 0
    for jpeg in frames_jpeg:
        if len(jpeg) % 2:
            jpeg += b'\0'
        items.append(struct.pack('<HHI', 0xFFFE, 0xE000, len(jpeg)) + jpeg)
        table += struct.pack('<I', at)
        at += 8 + len(jpeg)
    bot = struct.pack('<HHI', 0xFFFE, 0xE000, len(table) if offsets else 0) + (table if offsets else b'')
    return struct.pack('<HH', 0x7FE0, 0x0010) + b'OB\0\0' + b'\xff\xff\xff\xff' + bot + b''.join(items) + struct.pack('<HHI', 0xFFFE, 0xE0DD, 0)


def write_dicoms(folder):
    img = nih(0, 32)
    words = twelve_bit(img)
    ex, im = '1.2.840.10008.1.2.1', '1.2.840.10008.1.2'
    pixel16 = lambda a: element(0x7FE0, 0x0010, b'OW', a.astype('<u2').tobytes())  # noqa: E731

    write_part10(folder / 'dicom_monochrome1.dcm', ex, b''.join(image_elements(32, 32, bits=16, photometric='MONOCHROME1')) + pixel16(4095 - words))
    signed = (words.astype(np.int32) - 2048).astype(np.int16)
    write_part10(folder / 'dicom_signed16.dcm', ex, b''.join(image_elements(32, 32, bits=16, signed=True)) + pixel16(signed.astype(np.int32) & 0xFFFF))
    # No preamble and no "DICM": the meta group first, as some tools write it.
    body = b''.join(image_elements(32, 32, bits=16)) + pixel16(words)
    (folder / 'dicom_no_preamble.dcm').write_bytes(meta_group(ex) + body)
    # A bare implicit-VR data set (no meta group at all).
    implicit = lambda g, e_, vr, v: element(g, e_, vr, v, explicit=False)  # noqa: E731
    (folder / 'dicom_bare_dataset.dcm').write_bytes(b''.join(image_elements(32, 32, bits=16, encode=implicit)) + element(0x7FE0, 0x0010, b'OW', words.astype('<u2').tobytes(), explicit=False))
    # Three frames: the first is the radiograph, the others are its negative and black.
    frames = np.concatenate([words, 4095 - words, np.zeros_like(words)])
    write_part10(folder / 'dicom_multiframe.dcm', ex, b''.join(image_elements(32, 32, bits=16, frames=3)) + pixel16(frames))
    # Two JPEG Baseline frames, empty Basic Offset Table (the reader finds frame boundaries from the markers).
    jpegs = []
    for source in (kermany('NORMAL', 0, 32), kermany('PNEUMONIA', 0, 32)):
        buffer = io.BytesIO()
        source.save(buffer, format='JPEG', quality=90)
        jpegs.append(buffer.getvalue())
    write_part10(folder / 'dicom_multiframe_jpeg.dcm', '1.2.840.10008.1.2.4.50', b''.join(image_elements(32, 32, bits=8, frames=2)) + encapsulated(jpegs, offsets=False))
    write_part10(folder / 'dicom_no_pixel_data.dcm', ex, b''.join(image_elements(32, 32, bits=16)))
    # Deflated Explicit VR Little Endian: the data set after the meta group is raw deflate (PS3.5 A.5).
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    write_part10(folder / 'dicom_deflated.dcm', '1.2.840.10008.1.2.1.99', deflater.compress(body) + deflater.flush())
    be_body = b''.join(image_elements(32, 32, bits=16, encode=element_be)) + element_be(0x7FE0, 0x0010, b'OW', words.astype('>u2').tobytes())
    write_part10(folder / 'dicom_big_endian.dcm', '1.2.840.10008.1.2.2', be_body)
    write_part10(folder / 'dicom_implicit.dcm', im, b''.join(image_elements(32, 32, bits=16, encode=implicit)) + element(0x7FE0, 0x0010, b'OW', words.astype('<u2').tobytes(), explicit=False))
    for name, uid in [('jpeg_lossless', '1.2.840.10008.1.2.4.70'), ('jpeg_ls', '1.2.840.10008.1.2.4.80'), ('rle', '1.2.840.10008.1.2.5'),
                      ('jpeg2000', '1.2.840.10008.1.2.4.91'), ('htj2k', '1.2.840.10008.1.2.4.201')]:
        write_part10(folder / f'dicom_{name}.dcm', uid, b''.join(image_elements(32, 32, bits=16)) + pixel16(words))


# ---------------------------------------------------------------- the mixed folder
def write_kinds():
    shutil.rmtree(KINDS, ignore_errors=True)
    normal, pneumonia = KINDS / 'NORMAL', KINDS / 'PNEUMONIA'
    for i in range(4):
        save(kermany('NORMAL', 10 + i), normal / f'good_normal_{i}.png')
        save(kermany('PNEUMONIA', 10 + i), pneumonia / f'good_pneumonia_{i}.png')
    base = kermany('NORMAL', 20)
    good_png = io.BytesIO()
    base.save(good_png, format='PNG')
    good_jpeg = io.BytesIO()
    base.save(good_jpeg, format='JPEG', quality=90)

    (normal / 'zero_byte.png').write_bytes(b'')
    (normal / 'truncated.png').write_bytes(good_png.getvalue()[: len(good_png.getvalue()) // 2])
    (normal / 'truncated.jpeg').write_bytes(good_jpeg.getvalue()[: len(good_jpeg.getvalue()) // 2])
    (normal / 'text_named.png').write_text('Image Index,Finding Labels\n00000001_000.png,Cardiomegaly\n')
    save(kermany('NORMAL', 21), normal / 'png_named.jpg', format='PNG')
    save(kermany('NORMAL', 22), normal / 'jpeg_named.png', format='JPEG', quality=90)
    # PNG with a valid signature, IHDR and IEND but image data that is not zlib.
    png = bytearray(good_png.getvalue())
    idat = png.index(b'IDAT') + 4
    png[idat: idat + 40] = bytes(range(40))
    (normal / 'corrupt_data.png').write_bytes(bytes(png))
    # IHDR chunk type damaged.
    png = bytearray(good_png.getvalue())
    png[12:16] = b'IHDX'
    (normal / 'corrupt_header.png').write_bytes(bytes(png))
    # A JPEG whose frame header says 12-bit samples (lossless / extended medical JPEGs): SOF precision byte patched.
    jpeg = bytearray(good_jpeg.getvalue())
    sof = jpeg.index(b'\xff\xc0')
    jpeg[sof + 4] = 12
    (normal / 'twelve_bit.jpeg').write_bytes(bytes(jpeg))

    gray16 = (np.asarray(kermany('PNEUMONIA', 20), dtype=np.uint16) * 200 + 500).astype(np.uint16)
    save(Image.fromarray(gray16), pneumonia / 'gray_16bit.png')
    rgba = kermany('PNEUMONIA', 21).convert('RGBA')
    save(rgba, pneumonia / 'rgba.png')
    save(kermany('PNEUMONIA', 22).convert('LA'), pneumonia / 'gray_alpha.png')
    save(kermany('PNEUMONIA', 23).convert('P'), pneumonia / 'palette.png')
    save(kermany('PNEUMONIA', 24).convert('CMYK'), pneumonia / 'cmyk.jpg', quality=90)
    save(kermany('PNEUMONIA', 25), pneumonia / 'progressive.jpg', quality=90, progressive=True)
    # EXIF orientation 6 (rotate 90 degrees clockwise to display): stored sideways, a bright block marks the top.
    upright = np.asarray(kermany('PNEUMONIA', 26), dtype=np.uint8).copy()
    upright[:12, :] = 255
    sideways = Image.fromarray(np.rot90(upright, 1))  # displayed upright after a 90-degree clockwise turn
    exif = Image.Exif()
    exif[0x0112] = 6
    save(sideways, pneumonia / 'exif_rotated.jpg', quality=95, exif=exif.tobytes())
    save(Image.fromarray(upright), pneumonia / 'exif_upright_reference.jpg', quality=95)
    save(Image.new('L', (1, 1), 128), pneumonia / 'one_pixel.png')
    save(nih(1, 400).resize((40, 4000)), pneumonia / 'tall_40x4000.png')
    save(nih(2, 400).resize((4000, 40)), pneumonia / 'wide_4000x40.png')
    save(kermany('PNEUMONIA', 27), pneumonia / 'bitmap.bmp')
    save(kermany('PNEUMONIA', 28), pneumonia / 'lossless.webp', lossless=True)
    save(kermany('PNEUMONIA', 29), pneumonia / 'scan.tiff')
    save(kermany('PNEUMONIA', 30).convert('P'), pneumonia / 'animation.gif')
    # Beyond the limit: 20,000 x 20,000 (400 MP > 268 MP), 1-bit zeros, so the file is 50 kB.
    Image.new('1', (20000, 20000), 0).save(pneumonia / 'beyond_limit_20000.png', optimize=True)
    # Names with unicode, spaces and '#'.
    save(kermany('NORMAL', 23), normal / 'Röntgen Bild #1 ü.png')
    # The same file under two names.
    save(kermany('NORMAL', 24), normal / 'original.png')
    shutil.copy(normal / 'original.png', normal / 'copy of original.png')
    # Hidden and system files: skipped silently.
    (normal / '.DS_Store').write_bytes(b'\0\0\0\1Bud1' + bytes(64))
    (normal / 'Thumbs.db').write_bytes(bytes(512))
    (normal / 'desktop.ini').write_text('[.ShellClassInfo]\n')
    (KINDS / '__MACOSX' / 'NORMAL').mkdir(parents=True)
    (KINDS / '__MACOSX' / 'NORMAL' / '._good_normal_0.png').write_bytes(b'\0\5\26\7' + bytes(60))
    (normal / '._resource_fork.png').write_bytes(b'\0\5\26\7' + bytes(60))
    (normal / 'notes.txt').write_text('not an image\n')
    write_dicoms(pneumonia)


# ---------------------------------------------------------------- large images
def write_large():
    shutil.rmtree(LARGE, ignore_errors=True)
    canvas = Image.new('L', (8000, 8000), 0)
    canvas.paste(nih(3, 1024), (3488, 3488))
    save(canvas, LARGE / 'NORMAL' / 'large_8000_gray8.png', optimize=True)
    deep = np.zeros((8000, 8000), dtype=np.uint16)
    deep[3488:4512, 3488:4512] = np.asarray(nih(4, 1024), dtype=np.uint16) * 250 + 1000
    save(Image.fromarray(deep), LARGE / 'NORMAL' / 'large_8000_gray16.png')
    canvas = Image.new('L', (8000, 8000), 0)
    canvas.paste(nih(5, 1024), (3488, 3488))
    save(canvas, LARGE / 'PNEUMONIA' / 'large_8000_baseline.jpg', quality=85)
    canvas = Image.new('L', (8000, 8000), 0)
    canvas.paste(nih(6, 1024), (3488, 3488))
    save(canvas, LARGE / 'PNEUMONIA' / 'large_8000_progressive.jpg', quality=85, progressive=True)


# ---------------------------------------------------------------- index files with quirks
NIH_HEADER = 'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]'


def write_csvs():
    shutil.rmtree(CSV, ignore_errors=True)
    CSV.mkdir(parents=True)
    rows = [
        '00000001_000.png,Cardiomegaly,0,1,58,M,PA,2682,2749,0.143,0.143',
        '00000002_000.png,No Finding,0,2,81,M,PA,2500,2048,0.171,0.171',
        '00000003_000.png,Hernia|Infiltration,0,3,76,F,PA,2582,2905,0.143,0.143',
    ]
    text = '\n'.join([NIH_HEADER, *rows]) + '\n'
    (CSV / 'nih_bom_crlf.csv').write_bytes(b'\xef\xbb\xbf' + text.replace('\n', '\r\n').encode())
    (CSV / 'nih_semicolon.csv').write_text('\n'.join(line.replace(',', ';') for line in [NIH_HEADER.replace('[Width,Height]', '[Width;Height]').replace('[x,y]', '[x;y]'), *rows]) + '\n')
    (CSV / 'nih_duplicate_rows.csv').write_text('\n'.join([NIH_HEADER, rows[0], rows[1], rows[0], rows[2]]) + '\n')
    (CSV / 'nih_unknown_label.csv').write_text('\n'.join([NIH_HEADER, rows[0], '00000002_000.png,Alien Finding,0,2,81,M,PA,2500,2048,0.171,0.171', rows[2]]) + '\n')
    (CSV / 'nih_missing_column.csv').write_text('Image Index,Finding Labels\n00000001_000.png,Cardiomegaly\n')
    (CSV / 'generic_quoted_commas.csv').write_text('path,Pneumonia,comment\n"images/a, b.png",1,"x, y"\nimages/c.png,0,plain\n')


SOURCE = """# {name}

Made by scripts/make_input_kinds.py from real radiographs: Kermany pediatric chest radiographs (Cell 2018,
CC BY 4.0) and NIH ChestX-ray14 images (NIH Clinical Center, unrestricted use; cite Wang et al., CVPR 2017), downscaled,
re-encoded, cut, pasted on black canvases or wrapped in synthetic DICOM headers (with the FAKE identifiers
Doe^Jane / PAT-ID-12345). See docs/input-kinds.md for what each file is and what the lab does with it.
Not for medical use.
"""


def main():
    write_kinds()
    write_large()
    write_csvs()
    for folder in (KINDS, LARGE):
        (folder.parent / f'{folder.name}.SOURCE.md').write_text(SOURCE.format(name=folder.name))
    (CSV.parent / 'SOURCE.md').write_text(SOURCE.format(name='input-kinds/csv'))
    total = sum(p.stat().st_size for d in (KINDS, LARGE, CSV) for p in d.rglob('*') if p.is_file())
    print(f'wrote {KINDS}, {LARGE}, {CSV}: {total} bytes')


if __name__ == '__main__':
    main()
