#!/usr/bin/env python3
"""
Builds the NON-radiograph image set that the out-of-distribution guard is measured on (docs/ood-guard.md),
from Debian packages only (nothing is downloaded), into bench-out/ood-images/ (git-ignored):

  skimage/            the sample images of Debian's python3-skimage (photos, textures, microscopy, text, logo)
  faces-lfw/          skimage's LFW subset: 100 faces + 100 background patches, 25 x 25 gray
  documents/          text pages rendered with PIL from Debian's licence texts (several fonts, layouts, dark
                      themes, "scanned" pages with noise, blur and a slight rotation, slides, receipts)
  charts/             matplotlib figures (lines, bars, scatter, histograms, heat maps; colour and gray)
  medical-other/      non-radiograph medical images: CT / MR / nuclear-medicine DICOMs from python3-pydicom's test
                      files, decompressed with gdcmconv (libgdcm-tools) where they are compressed
  other-radiographs/  radiographs of other body parts: the X-ray angiogram of the neck shipped in libgdcm3.0's
                      examples (one series; decompressed with gdcmconv, first frame)

Screenshots come from scripts/ood_screenshots.mjs (Chromium). Packages: python3-skimage, python3-matplotlib,
python3-pil (always); python3-pydicom and libgdcm-tools for the DICOM groups (skipped, with a message, if absent).
Deterministic: fixed seeds, so every run writes the same files.

    /usr/bin/python3 scripts/ood_make_images.py [--out bench-out/ood-images]
"""
import argparse
import glob
import os
import random
import shutil
import subprocess
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_DIR = '/usr/share/fonts/truetype'
FONTS = [
    'dejavu/DejaVuSans.ttf', 'dejavu/DejaVuSerif.ttf', 'dejavu/DejaVuSansMono.ttf', 'dejavu/DejaVuSans-Bold.ttf',
    'liberation/LiberationSans-Regular.ttf', 'liberation/LiberationSerif-Regular.ttf', 'liberation/LiberationMono-Regular.ttf',
    'lato/Lato-Regular.ttf', 'lato/Lato-Light.ttf',
]


def font(path, size):
    full = os.path.join(FONT_DIR, path)
    if not os.path.exists(full):
        full = os.path.join(FONT_DIR, 'dejavu/DejaVuSans.ttf')
    return ImageFont.truetype(full, size)


def corpus():
    """Real English prose: Debian's licence texts and a few copyright files."""
    texts = []
    for path in sorted(glob.glob('/usr/share/common-licenses/*')):
        if os.path.isfile(path):
            with open(path, encoding='utf-8', errors='replace') as f:
                texts.append(f.read())
    words = ' '.join(texts).split()
    return words


def skimage_images(out):
    import skimage.data
    data_dir = os.path.dirname(skimage.data.__file__)
    os.makedirs(out, exist_ok=True)
    count = 0
    for path in sorted(glob.glob(os.path.join(data_dir, '*'))):
        name, ext = os.path.splitext(os.path.basename(path))
        if ext.lower() not in ('.png', '.jpg', '.gif'):
            continue
        try:
            image = Image.open(path)
            image.load()
        except OSError:
            continue  # truncated.jpg: a decoder test, not a picture
        if image.width < 32 or image.height < 32:
            continue  # 3 x 5 test stubs and 8 x 8 blocks are not pictures
        if ext.lower() == '.gif':
            image.convert('RGB').save(os.path.join(out, f'{name}.png'))
        else:
            shutil.copyfile(path, os.path.join(out, os.path.basename(path)))
        count += 1
    return count


def lfw(out):
    import skimage.data
    os.makedirs(out, exist_ok=True)
    faces = skimage.data.lfw_subset()  # [200, 25, 25] floats in [0, 1]: 100 faces then 100 non-faces
    for i, face in enumerate(faces):
        kind = 'face' if i < 100 else 'background'
        Image.fromarray(np.round(face * 255).astype(np.uint8), 'L').save(os.path.join(out, f'{kind}_{i:03d}.png'))
    return len(faces)


def paragraph(words, rng, n):
    start = rng.randrange(0, len(words) - n)
    return ' '.join(words[start:start + n])


def draw_text_block(draw, text, box, fnt, fill, line_gap=1.25):
    x0, y0, x1, y1 = box
    avg = max(1, fnt.getlength('abcdefghijklmnopqrstuvwxyz') / 26)
    width_chars = max(8, int((x1 - x0) / avg))
    y = y0
    line_h = int((fnt.size) * line_gap)
    for line in textwrap.wrap(text, width_chars):
        if y + line_h > y1:
            break
        draw.text((x0, y), line, font=fnt, fill=fill)
        y += line_h
    return y


def page(words, rng, i):
    """One rendered page; the kind cycles so every layout is present."""
    kind = ['page', 'two-column', 'dark', 'scanned', 'slide', 'receipt', 'code', 'form'][i % 8]
    fnt_path = FONTS[rng.randrange(len(FONTS))]
    if kind == 'slide':
        w, h = rng.choice([(1280, 720), (1024, 768), (1920, 1080)])
    elif kind == 'receipt':
        w, h = rng.choice([(380, 1100), (420, 900)])
    else:
        w, h = rng.choice([(850, 1100), (827, 1169), (1000, 1300), (700, 990)])
    dark = kind == 'dark' or (kind in ('code', 'slide') and rng.random() < 0.5)
    bg = (rng.randrange(20, 45),) * 3 if dark else (255, 255, 255)
    fg = (rng.randrange(190, 235),) * 3 if dark else (rng.randrange(0, 40),) * 3
    image = Image.new('RGB', (w, h), bg)
    draw = ImageDraw.Draw(image)
    margin = rng.randrange(w // 14, w // 7)
    size = rng.randrange(max(10, w // 70), max(12, w // 40))
    body = font(fnt_path, size)
    if kind == 'two-column':
        draw.text((margin, margin), paragraph(words, rng, 6).title(), font=font(fnt_path, size * 2), fill=fg)
        mid = w // 2
        y0 = margin + size * 4
        draw_text_block(draw, paragraph(words, rng, 500), (margin, y0, mid - margin // 3, h - margin), body, fg)
        draw_text_block(draw, paragraph(words, rng, 500), (mid + margin // 3, y0, w - margin, h - margin), body, fg)
    elif kind == 'slide':
        accent = tuple(rng.randrange(40, 220) for _ in range(3))
        draw.rectangle((0, 0, w, h // 6), fill=accent if rng.random() < 0.7 else bg)
        draw.text((margin, h // 24), paragraph(words, rng, 5).title(), font=font(fnt_path, h // 12), fill=fg if not dark else (250, 250, 250))
        y = h // 4
        for _ in range(rng.randrange(3, 7)):
            draw.text((margin, y), '•  ' + paragraph(words, rng, rng.randrange(4, 9)), font=font(fnt_path, h // 26), fill=fg)
            y += h // 10
    elif kind == 'receipt':
        mono = font('dejavu/DejaVuSansMono.ttf', size)
        y = margin
        draw.text((margin, y), 'RECEIPT  #' + str(rng.randrange(10000, 99999)), font=mono, fill=fg)
        y += size * 3
        total = 0.0
        while y < h - margin * 3:
            price = rng.randrange(50, 5000) / 100
            total += price
            item = paragraph(words, rng, 2)[:18]
            draw.text((margin, y), f'{item:<18}{price:>8.2f}', font=mono, fill=fg)
            y += int(size * 1.5)
        draw.line((margin, y, w - margin, y), fill=fg, width=2)
        draw.text((margin, y + size), f'{"TOTAL":<18}{total:>8.2f}', font=mono, fill=fg)
    elif kind == 'code':
        mono = font(rng.choice(['dejavu/DejaVuSansMono.ttf', 'liberation/LiberationMono-Regular.ttf']), size)
        colours = [fg, (86, 156, 214), (206, 145, 120), (106, 153, 85), (197, 134, 192)] if rng.random() < 0.6 else [fg]
        y = margin // 2
        indent = 0
        while y < h - margin // 2:
            indent = max(0, min(6, indent + rng.choice([-1, 0, 0, 1])))
            x = margin // 2 + indent * size * 2
            for token in paragraph(words, rng, rng.randrange(1, 7)).split():
                draw.text((x, y), token, font=mono, fill=rng.choice(colours))
                x += mono.getlength(token + ' ')
            y += int(size * 1.4)
    elif kind == 'form':
        y = margin
        draw.text((margin, y), paragraph(words, rng, 4).upper(), font=font(fnt_path, size * 2), fill=fg)
        y += size * 4
        while y < h - margin - size * 3:
            draw.text((margin, y), paragraph(words, rng, 2).title() + ':', font=body, fill=fg)
            draw.rectangle((w // 3, y - 4, w - margin, y + size + 6), outline=fg, width=1)
            y += size * 3
    else:
        y = margin
        draw.text((margin, y), paragraph(words, rng, 7).title(), font=font(fnt_path, int(size * 1.6)), fill=fg)
        y += size * 3
        while y < h - margin:
            y = draw_text_block(draw, paragraph(words, rng, rng.randrange(40, 160)), (margin, y, w - margin, h - margin), body, fg) + size

    if kind == 'scanned':
        gray = np.asarray(image.convert('L'), dtype=np.float32)
        paper = rng.randrange(200, 245)
        gray = paper - (255 - gray) * (paper - 20) / 255  # off-white paper, grayish ink
        noise = np.random.default_rng(i).normal(0, rng.uniform(3, 10), gray.shape)
        image = Image.fromarray(np.clip(gray + noise, 0, 255).astype(np.uint8), 'L')
        image = image.rotate(rng.uniform(-2.5, 2.5), resample=Image.BILINEAR, expand=True, fillcolor=rng.randrange(0, 80))
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return kind, image


def documents(out, count, seed):
    os.makedirs(out, exist_ok=True)
    words = corpus()
    rng = random.Random(seed)
    for i in range(count):
        kind, image = page(words, rng, i)
        name = f'{i:03d}_{kind}'
        if kind == 'scanned' or rng.random() < 0.3:
            image.convert('RGB' if image.mode != 'L' else 'L').save(os.path.join(out, name + '.jpg'), quality=rng.randrange(60, 92))
        else:
            image.save(os.path.join(out, name + '.png'))
    return count


def charts(out, count, seed):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    kinds = ['line', 'bar', 'scatter', 'hist', 'heatmap', 'pie']
    for i in range(count):
        kind = kinds[i % len(kinds)]
        gray_style = i % 3 == 0
        plt.style.use('grayscale' if gray_style else 'default')
        fig, ax = plt.subplots(figsize=(rng.uniform(4, 9), rng.uniform(3, 7)), dpi=100)
        if kind == 'line':
            x = np.linspace(0, 10, 200)
            for j in range(rng.integers(1, 5)):
                ax.plot(x, np.cumsum(rng.normal(0, 1, x.size)), label=f'series {j}')
            ax.legend()
        elif kind == 'bar':
            n = int(rng.integers(3, 12))
            ax.bar(np.arange(n), rng.uniform(1, 10, n), tick_label=[f'c{j}' for j in range(n)])
        elif kind == 'scatter':
            ax.scatter(rng.normal(0, 1, 300), rng.normal(0, 1, 300), s=8, c=None if gray_style else rng.uniform(0, 1, 300))
        elif kind == 'hist':
            ax.hist(rng.gamma(2, 2, 2000), bins=int(rng.integers(10, 60)))
        elif kind == 'heatmap':
            field = rng.normal(0, 1, (20, 20)).cumsum(0).cumsum(1)
            im = ax.imshow(field, cmap='gray' if gray_style else 'viridis')
            fig.colorbar(im)
        else:
            ax.pie(rng.uniform(1, 5, int(rng.integers(3, 7))))
        ax.set_title(f'Figure {i + 1}')
        fig.tight_layout()
        fig.savefig(os.path.join(out, f'{i:03d}_{kind}.png'))
        plt.close(fig)
    plt.style.use('default')
    return count


def have(tool):
    return shutil.which(tool) is not None


def dicom_groups(out_medical, out_radiographs):
    """pydicom's CT / MR / NM test images and libgdcm3.0's neck angiogram, as uncompressed DICOM."""
    os.makedirs(out_medical, exist_ok=True)
    os.makedirs(out_radiographs, exist_ok=True)
    counts = {'medical-other': 0, 'other-radiographs': 0}
    try:
        import pydicom.data
        tests = os.path.join(os.path.dirname(pydicom.data.__file__), 'test_files')
    except ImportError:
        print('python3-pydicom is not installed: medical-other/ is empty (apt-get install python3-pydicom)')
        tests = None
    gdcm = have('gdcmconv')
    if not gdcm:
        print('gdcmconv (libgdcm-tools) is not installed: compressed DICOMs are skipped')
    # One file per distinct image (pydicom ships the same MR slice in many encodings).
    medical = {
        'CT_small.dcm': 'ct_small_128.dcm',
        'MR_small.dcm': 'mr_small_64.dcm',
        '693_J2KI.dcm': 'ct_head_512_j2k.dcm',
        'J2K_pixelrep_mismatch.dcm': 'ct_head_512_b.dcm',
        'JPEG-lossy.dcm': 'nm_whole_body_1024x256.dcm',
    }
    if tests:
        for source, target in medical.items():
            path = os.path.join(tests, source)
            if os.path.exists(path) and convert_dicom(path, os.path.join(out_medical, target), gdcm):
                counts['medical-other'] += 1
    neck = '/usr/share/doc/libgdcm3.0/examples/00191113.dcm'
    if os.path.exists(neck) and convert_dicom(neck, os.path.join(out_radiographs, 'xa_neck_angiogram.dcm'), gdcm):
        counts['other-radiographs'] += 1
    elif not os.path.exists(neck):
        print(f'{neck} not found (package libgdcm3.0): other-radiographs/ is empty')
    return counts


def convert_dicom(source, target, gdcm):
    """Uncompressed explicit little endian (what the lab's decoder reads), or a plain copy if it already is."""
    import pydicom
    syntax = str(pydicom.dcmread(source, stop_before_pixels=True).file_meta.TransferSyntaxUID)
    if syntax in ('1.2.840.10008.1.2.1', '1.2.840.10008.1.2'):
        shutil.copyfile(source, target)
        return True
    if not gdcm:
        return False
    result = subprocess.run(['gdcmconv', '--raw', source, target], capture_output=True, text=True)
    if result.returncode != 0:
        print(f'gdcmconv failed on {source}: {result.stderr.strip()[:200]}')
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'bench-out', 'ood-images'))
    parser.add_argument('--documents', type=int, default=96)
    parser.add_argument('--charts', type=int, default=36)
    args = parser.parse_args()
    counts = {
        'skimage': skimage_images(os.path.join(args.out, 'skimage')),
        'faces-lfw': lfw(os.path.join(args.out, 'faces-lfw')),
        'documents': documents(os.path.join(args.out, 'documents'), args.documents, seed=7),
        'charts': charts(os.path.join(args.out, 'charts'), args.charts, seed=11),
    }
    counts.update(dicom_groups(os.path.join(args.out, 'medical-other'), os.path.join(args.out, 'other-radiographs')))
    for group, n in counts.items():
        print(f'{group:>18}: {n} images')


if __name__ == '__main__':
    main()
