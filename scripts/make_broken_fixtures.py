#!/usr/bin/python3
"""Writes tests/fixtures/data-study/: real radiographs made small, realistically broken copies of them,
synthetic DICOMs with known pixel values, and golden numbers computed here independently of the TS code.

Run from the repository root:  /usr/bin/python3 scripts/make_broken_fixtures.py
Needs numpy and Pillow (Debian python3-numpy, python3-pil). Reads ../shared/data (see its README for sources).
pydicom is not needed: the DICOM files are written byte by byte (PS3.10 Part 10 file, PS3.5 element encoding).
"""
import hashlib
import json
import os
import shutil
import struct
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get('CXR_SHARED_DATA') or os.path.join(ROOT, '..', 'shared', 'data')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'data-study')
NIH_IMAGE = os.path.join(SHARED, 'nih-sample', 'images', '00000165_001.png')
KERMANY = os.path.join(SHARED, 'kermany-pneumonia-224', 'dataset', 'train')
SIIM = os.path.join(SHARED, 'real-index', 'siim_sample_jpeg_baseline.dcm')


def out(*parts):
    path = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def small_png(size):
    return Image.open(NIH_IMAGE).convert('L').resize((size, size), Image.BOX)


def kermany_jpeg(name, folder, size=32):
    """A real Kermany radiograph, downscaled so the fixture stays tiny."""
    return Image.open(os.path.join(KERMANY, folder, name)).convert('L').resize((size, size), Image.BOX)


# ---------------------------------------------------------------- broken image files
def write_bad_images():
    open(out('bad', 'zero_byte.png'), 'wb').close()

    small_png(128).save(out('bad', 'complete.png'))
    data = open(out('bad', 'complete.png'), 'rb').read()
    open(out('bad', 'truncated.png'), 'wb').write(data[: len(data) // 2])  # download cut off half-way

    src = os.path.join(KERMANY, 'NORMAL', 'IM-0115-0001.jpeg')
    jpeg = open(src, 'rb').read()
    open(out('bad', 'complete.jpeg'), 'wb').write(jpeg)
    open(out('bad', 'truncated.jpeg'), 'wb').write(jpeg[: len(jpeg) // 2])

    # A text file someone saved with an image extension.
    open(out('bad', 'not_an_image.png'), 'w').write('Image Index,Finding Labels\n00000001_000.png,Cardiomegaly\n')

    # 4096 x 4096: a real radiograph pasted on a black canvas (compresses to a few KB, header says 16.7 MP).
    canvas = Image.new('L', (4096, 4096), 0)
    canvas.paste(small_png(256), (0, 0))
    canvas.save(out('bad', 'huge_4096.png'), optimize=True)


# ---------------------------------------------------------------- 16-bit PNG (PadChest-style)
def write_png16():
    """A real radiograph spread over 12 bits like PadChest's 16-bit PNGs, plus a burnt-in marker at 65535."""
    base = np.asarray(small_png(64), dtype=np.float64)
    values = (base * 16 + 300).astype(np.uint16)  # 300 .. ~4380
    values[2:4, 2:10] = 65535  # a burnt-in text label (0.4 % of pixels), far outside the anatomy's range
    Image.fromarray(values.astype(np.uint16)).save(out('png16', 'padchest_style_16bit.png'))
    check = np.asarray(Image.open(out('png16', 'padchest_style_16bit.png')))
    assert check.dtype == np.uint16 or check.dtype == np.int32, check.dtype
    assert int(check.max()) == 65535
    flat = np.sort(values.astype(np.float64).ravel())
    n = flat.size

    def lower_percentile(p):  # same rank rule as percentileOfSamples: floor(p/100 * (n-1))
        return flat[int(np.floor(p / 100 * (n - 1)))]

    low, high = lower_percentile(0.5), lower_percentile(99.5)
    windowed = np.clip((values - low) / (high - low), 0, 1) * 255
    golden = {}
    for size in (64, 16):
        resized = np.asarray(Image.fromarray(windowed.astype(np.float32), mode='F').resize((size, size), Image.BOX))
        golden[str(size)] = np.round(resized).astype(int).ravel().tolist()
    json.dump({'low': float(low), 'high': float(high), 'expected': golden}, open(out('png16', 'golden.json'), 'w'))


# ---------------------------------------------------------------- synthetic DICOM
LONG_VRS = {b'OB', b'OW', b'OF', b'SQ', b'UT', b'UN'}


def pad(value, vr):
    if len(value) % 2:
        value += b'\0' if vr in (b'UI', b'OB') else b' '
    return value


def element(group, elem, vr, value, explicit=True):
    value = pad(value, vr)
    tag = struct.pack('<HH', group, elem)
    if not explicit:
        return tag + struct.pack('<I', len(value)) + value
    if vr in LONG_VRS:
        return tag + vr + b'\0\0' + struct.pack('<I', len(value)) + value
    return tag + vr + struct.pack('<H', len(value)) + value


def us(v):
    return struct.pack('<H', v)


def write_dicom(path, pixels, *, transfer_syntax, explicit, photometric, bits_stored, signed,
                window=None, rescale=None):
    """PS3.10 file: 128-byte preamble, 'DICM', group 0002 (always explicit VR LE), then the data set."""
    bits_allocated = 8 if pixels.dtype in (np.uint8, np.int8) else 16
    meta_body = b''.join([
        element(0x0002, 0x0001, b'OB', b'\x00\x01'),
        element(0x0002, 0x0002, b'UI', b'1.2.840.10008.5.1.4.1.1.1'),  # CR Image Storage
        element(0x0002, 0x0003, b'UI', b'1.2.826.0.1.3680043.2.1125.1.1'),
        element(0x0002, 0x0010, b'UI', transfer_syntax.encode()),
    ])
    meta = element(0x0002, 0x0000, b'UL', struct.pack('<I', len(meta_body))) + meta_body
    e = lambda g, el, vr, val: element(g, el, vr, val, explicit)  # noqa: E731
    rows, cols = pixels.shape
    body = [
        e(0x0008, 0x0060, b'CS', b'CR'),
        # Identifying attributes with recognisable fake values: the decoder must never surface them.
        e(0x0010, 0x0010, b'PN', b'Doe^Jane'),
        e(0x0010, 0x0020, b'LO', b'PAT-ID-12345'),
        e(0x0010, 0x0030, b'DA', b'19700101'),
        e(0x0028, 0x0002, b'US', us(1)),
        e(0x0028, 0x0004, b'CS', photometric.encode()),
        e(0x0028, 0x0010, b'US', us(rows)),
        e(0x0028, 0x0011, b'US', us(cols)),
        e(0x0028, 0x0100, b'US', us(bits_allocated)),
        e(0x0028, 0x0101, b'US', us(bits_stored)),
        e(0x0028, 0x0102, b'US', us(bits_stored - 1)),
        e(0x0028, 0x0103, b'US', us(1 if signed else 0)),
    ]
    if window:
        body += [e(0x0028, 0x1050, b'DS', str(window[0]).encode()), e(0x0028, 0x1051, b'DS', str(window[1]).encode())]
    if rescale:
        body += [e(0x0028, 0x1052, b'DS', str(rescale[1]).encode()), e(0x0028, 0x1053, b'DS', str(rescale[0]).encode())]
    raw = pixels.astype('<u2' if bits_allocated == 16 else 'u1').tobytes()
    body.append(e(0x7FE0, 0x0010, b'OW' if bits_allocated == 16 else b'OB', raw))
    open(path, 'wb').write(b'\0' * 128 + b'DICM' + meta + b''.join(body))


def dicom_window(x, center, width):
    """PS3.3 C.11.2.1.2.1, linear VOI function, output 0..255 (independent of the TS implementation)."""
    low = center - 0.5 - (width - 1) / 2
    high = center - 0.5 + (width - 1) / 2
    y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255
    return np.where(x <= low, 0, np.where(x > high, 255, y))


def block_mean(img, size):
    f = img.shape[0] // size
    return img.reshape(size, f, size, f).mean(axis=(1, 3))


def write_dicoms():
    golden = {}
    grid = np.arange(64, dtype=np.float64).reshape(8, 8)

    # A: 16-bit unsigned, 12 bits stored, MONOCHROME1, window present, explicit VR.
    stored = (grid * 64).astype(np.uint16)  # 0 .. 4032
    stored[0, 0] |= 0xF000  # junk above Bits Stored must be masked away (PS3.5 8.1.1)
    write_dicom(out('dicom', 'mono1_u16_window_explicit.dcm'), stored, transfer_syntax='1.2.840.10008.1.2.1',
                explicit=True, photometric='MONOCHROME1', bits_stored=12, signed=False, window=(2000, 2001))
    real = (stored & 0x0FFF).astype(np.float64)
    a = 255 - dicom_window(real, 2000, 2001)
    golden['mono1_u16_window_explicit.dcm'] = {'scaling': 'window', '8': np.round(a).astype(int).ravel().tolist(),
                                               '4': np.round(block_mean(a, 4)).astype(int).ravel().tolist()}

    # B: 16-bit signed, 12 bits stored, MONOCHROME2, rescale slope 2 / intercept -100, no window, implicit VR.
    signed_values = (grid * 60 - 2000).astype(np.int16)  # -2000 .. 1780
    as_words = (signed_values.astype(np.int32) & 0xFFFF).astype(np.uint16)  # two's complement in 16-bit words
    write_dicom(out('dicom', 'mono2_s16_rescale_implicit.dcm'), as_words, transfer_syntax='1.2.840.10008.1.2',
                explicit=False, photometric='MONOCHROME2', bits_stored=12, signed=True, rescale=(2, -100))
    modality = signed_values.astype(np.float64) * 2 - 100
    b = (modality - modality.min()) / (modality.max() - modality.min()) * 255
    golden['mono2_s16_rescale_implicit.dcm'] = {'scaling': 'min-max', '8': np.round(b).astype(int).ravel().tolist(),
                                                '4': np.round(block_mean(b, 4)).astype(int).ravel().tolist()}

    # C: 8-bit MONOCHROME2, explicit VR, values 10 .. 199, min-max.
    eight = (grid * 3 + 10).astype(np.uint8)
    write_dicom(out('dicom', 'mono2_u8_explicit.dcm'), eight, transfer_syntax='1.2.840.10008.1.2.1',
                explicit=True, photometric='MONOCHROME2', bits_stored=8, signed=False)
    c = (eight - 10.0) / (eight.max() - 10.0) * 255
    golden['mono2_u8_explicit.dcm'] = {'scaling': 'min-max', '8': np.round(c).astype(int).ravel().tolist(),
                                       '4': np.round(block_mean(c, 4)).astype(int).ravel().tolist()}

    # D: a JPEG 2000 transfer syntax the lab does not decode (header correct, pixel data irrelevant).
    write_dicom(out('dicom', 'unsupported_jpeg2000.dcm'), eight, transfer_syntax='1.2.840.10008.1.2.4.90',
                explicit=True, photometric='MONOCHROME2', bits_stored=8, signed=False)
    json.dump(golden, open(out('dicom', 'golden.json'), 'w'))


def write_siim():
    """The real JPEG Baseline DICOM, plus facts about its frame found by a plain byte scan (not dicom-parser)."""
    dst = out('dicom', 'siim_sample_jpeg_baseline.dcm')
    shutil.copyfile(SIIM, dst)
    data = open(dst, 'rb').read()
    pixel_tag = data.rfind(b'\xe0\x7f\x10\x00')  # (7FE0,0010), the last element
    soi = data.index(b'\xff\xd8\xff', pixel_tag)
    eoi = data.rindex(b'\xff\xd9') + 2
    frame = data[soi:eoi]
    import io
    decoded = Image.open(io.BytesIO(frame))
    gray = np.asarray(decoded.convert('L'), dtype=np.float64)
    small = Image.fromarray(gray.astype(np.uint8)).resize((64, 64), Image.BOX)
    small.save(out('dicom', 'siim_frame_pil_64.png'))
    s = np.asarray(small, dtype=np.float64)
    stretched = (s - s.min()) / (s.max() - s.min()) * 255
    facts = {
        'frameSha256': hashlib.sha256(frame).hexdigest(),
        'frameLength': len(frame),
        'width': decoded.width,
        'height': decoded.height,
        'mode': decoded.mode,
        'expected16FromPil64': np.round(block_mean(stretched, 16)).astype(int).ravel().tolist(),
    }
    json.dump(facts, open(out('dicom', 'siim_facts.json'), 'w'))


# ---------------------------------------------------------------- generic CSV folder with bad rows
def write_generic_folder():
    base = ('generic', 'dataset')
    kermany_jpeg('IM-0115-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'ünïcode folder', 'IM 0001 ä.jpeg'))
    kermany_jpeg('IM-0122-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'a', 'IM-0002.jpeg'))
    kermany_jpeg('IM-0127-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'a', 'IM-0003.jpeg'))
    kermany_jpeg('IM-0131-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'a', 'same-name.jpeg'))
    kermany_jpeg('IM-0137-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'b', 'same-name.jpeg'))
    kermany_jpeg('IM-0141-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'b', 'no-row.jpeg'))
    kermany_jpeg('IM-0147-0001.jpeg', 'NORMAL').save(out(*base, 'images', 'b', 'IM-0004.jpeg'))
    rows = [
        'image path,Pneumonia,Effusion,Patient',
        '"images/ünïcode folder/IM 0001 ä.jpeg",1,0,p1',  # unicode and spaces
        'images/a/IM-0002.jpeg,0,1.0,p2',
        'same-name.jpeg,0,0,p3',  # two files have this name: ambiguous, never guessed
        'images/missing.jpeg,1,1,p4',  # row without an image
        'images/a/IM-0003.jpeg,maybe,0,p5',  # unknown label value
        'IM-0004.jpeg,-1,0,p6',  # only the file name: matched by suffix; -1 = ignore
    ]
    open(out(*base, 'labels.csv'), 'w', encoding='utf-8').write('\n'.join(rows) + '\n')
    open(out('generic', 'missing_column.csv'), 'w').write('image path,Pneumonia\nimages/a/IM-0002.jpeg,1\n')
    open(out('generic', 'findings.csv'), 'w').write(
        'Image Index,Finding Labels,Patient ID\nimages/a/IM-0002.jpeg,Pneumonia|Effusion,2\n'
        'images/a/IM-0003.jpeg,No Finding,3\nimages/b/IM-0004.jpeg,Pneumonia|Alien,4\n')


SOURCE = """# Fixtures of the data-study tests

Made by `scripts/make_broken_fixtures.py` (run it from the repository root with /usr/bin/python3).

- `bad/`: realistically broken files made from real radiographs: an NIH ChestX-ray14 image (00000165_001.png,
  NIH Clinical Center, unrestricted use, cite Wang et al. CVPR 2017) downscaled, cut in half, pasted into a
  4096 x 4096 canvas; a Kermany pediatric image (IM-0115-0001.jpeg, CC BY 4.0, Kermany et al., Cell 2018) cut in
  half; an empty file and a text file named `.png`.
- `png16/`: the same NIH image spread over 12 bits with a burnt-in marker at 65535 (PadChest-style 16-bit PNG), and
  golden window / resize values computed with numpy + Pillow (Image.BOX).
- `dicom/siim_sample_jpeg_baseline.dcm`: real SIIM-ACR chest DICOM (JPEG Baseline, MONOCHROME2, 1024 x 1024) as
  bundled in mlmed/torchxrayvision tests (see ../shared/data/real-index/SOURCES.txt); `siim_facts.json` holds
  facts of its JPEG frame found by a byte scan and decoded with Pillow; `siim_frame_pil_64.png` is Pillow's
  decode of that frame, box-downscaled to 64 x 64.
- `dicom/*.dcm` (others): synthetic 8 x 8 DICOMs written byte by byte, with fake identifying attributes
  (Doe^Jane, PAT-ID-12345) so tests can check they never leak; `golden.json` holds the expected 8-bit pixels
  computed with numpy from PS3.3 C.11.2.1.2.1.
- `generic/`: a small CSV + images folder (Kermany images IM-0115 ... IM-0147 downscaled to 32 x 32, CC BY 4.0)
  with unicode and spaces in paths, duplicate names in two folders, a row without image, an image without row,
  an unknown label value; `missing_column.csv` and `findings.csv` (an unknown finding "Alien").
Not for medical use.
"""


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    write_bad_images()
    write_png16()
    write_dicoms()
    write_siim()
    write_generic_folder()
    open(out('SOURCE.md'), 'w').write(SOURCE)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(json.dumps({'fixtures': OUT, 'bytes': total}), file=sys.stderr)


if __name__ == '__main__':
    main()
