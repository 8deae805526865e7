#!/usr/bin/env python3
"""
Small committed fixtures for the out-of-distribution guard's tests (tests/data/ood*.test.ts, e2e/ood.spec.ts),
and the golden statistics they are checked against, computed here with numpy + Pillow (an implementation written
apart from src/formats/image/imageStats.ts).

tests/fixtures/ood/
  radiographs/   six real chest radiographs from the HELD-OUT half (scripts/ood_bench.mjs split rule), so the
                 tests do not score images the model was fitted on: two NIH 1024 px PNGs box-downscaled to
                 224 px gray, two NIH 64 px PNGs as published, two Kermany 224 px JPEGs re-saved as gray PNG
  others/        non-radiographs: skimage's camera (gray), chelsea (colour), coins and text, box-downscaled to at
                 most 224 px; a text page and a bar chart rendered here (PIL, matplotlib)
  stats_golden.json  for every fixture: the 224 px gray image brought to 56 px by Pillow's Image.BOX (stored,
                 base64), numpy statistics of those 64 px bytes (same definitions as imageStats.ts), and the
                 share of coloured pixels of the fixture's own RGB
  SOURCE.md      sources and licences

    /usr/bin/python3 scripts/ood_fixtures.py
"""
import base64
import glob
import hashlib
import json
import os
import random
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'data')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'ood')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def held_out(set_name, rel):
    return hashlib.sha1(f'{set_name}/{rel}'.encode()).digest()[0] % 2 == 1


def pick(set_name, base, pattern, count):
    paths = sorted(glob.glob(os.path.join(base, pattern), recursive=True))
    chosen = [p for p in paths if held_out(set_name, os.path.relpath(p, base))][:count]
    assert len(chosen) == count, f'not enough held-out images in {set_name}'
    return chosen


def box_to(image, side):
    image = image.copy()
    if max(image.size) > side:
        scale = side / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BOX)
    return image


def stats_of(gray56):
    """imageStats.ts grayStatsOf, written again with numpy on the 56 x 56 bytes."""
    g = gray56.astype(np.int64)
    n = g.size
    hist = np.bincount(g.ravel(), minlength=256)
    bins = hist.reshape(32, 8).sum(axis=1) / n
    nz = bins[bins > 0]
    dx = np.abs(np.diff(g, axis=1))
    dy = np.abs(np.diff(g, axis=0))
    blocks = g.reshape(8, 7, 8, 7).mean(axis=(1, 3)).ravel()  # [by, y, bx, x] -> 8 x 8 block means
    return {
        'modeFraction': hist.max() / n,
        'modeLevel': int(hist.argmax()),
        'entropy': float(-(nz * np.log2(nz)).sum()),
        'edgeFraction': float(((dx > 24).mean() + (dy > 24).mean()) / 2),
        'meanGradient': float((dx.mean() + dy.mean()) / 2),
        'saturatedFraction': float(((g <= 4) | (g >= 251)).mean()),
        'mean': float(g.mean() / 255),
        'std': float(g.std() / 255),
        'layout': ((blocks - blocks.mean()) / (blocks.std() + 2)).tolist(),
    }


def colour_fraction(rgb):
    a = np.asarray(rgb.convert('RGB')).astype(np.int64)
    return float(((a.max(axis=2) - a.min(axis=2)) > 32).mean())


def document_page():
    from ood_make_images import corpus, page
    words = corpus()
    rng = random.Random(3)
    _, image = page(words, rng, 0)  # kind 0: a plain text page
    return box_to(image.convert('RGB'), 224)


def bar_chart():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(3.2, 2.4), dpi=70)
    ax.bar(range(6), [3, 5, 2, 6, 4, 7], color='tab:blue')
    ax.set_title('Figure 1')
    fig.tight_layout()
    path = os.path.join(OUT, 'others', 'bar_chart.png')
    fig.savefig(path)
    plt.close(fig)
    return Image.open(path).convert('RGB')


def main():
    import skimage.data
    os.makedirs(os.path.join(OUT, 'radiographs'), exist_ok=True)
    os.makedirs(os.path.join(OUT, 'others'), exist_ok=True)
    fixtures = {}

    nih_dir = os.path.join(SHARED, 'nih-sample', 'images')
    for p in pick('nih-1024', nih_dir, '*.png', 2):
        name = 'nih1024_' + os.path.basename(p)
        box_to(Image.open(p).convert('L'), 224).save(os.path.join(OUT, 'radiographs', name), optimize=True)
        fixtures[f'radiographs/{name}'] = 'real'
    nih64_dir = os.path.join(SHARED, 'nih1000-64px', 'NIH1000')
    for p in pick('nih-64', nih64_dir, '**/*.png', 2):
        name = 'nih64_' + os.path.basename(p)
        Image.open(p).save(os.path.join(OUT, 'radiographs', name), optimize=True)
        fixtures[f'radiographs/{name}'] = 'real'
    kermany_dir = os.path.join(SHARED, 'kermany-pneumonia-224', 'dataset')
    for p in pick('kermany', kermany_dir, '**/*.jpeg', 2):
        name = 'kermany_' + os.path.splitext(os.path.basename(p))[0] + '.png'
        Image.open(p).convert('L').save(os.path.join(OUT, 'radiographs', name), optimize=True)
        fixtures[f'radiographs/{name}'] = 'real'

    data_dir = os.path.dirname(skimage.data.__file__)
    for stem in ('camera', 'chelsea', 'coins', 'text'):
        image = Image.open(os.path.join(data_dir, f'{stem}.png'))
        box_to(image, 224).save(os.path.join(OUT, 'others', f'skimage_{stem}.png'), optimize=True)
        fixtures[f'others/skimage_{stem}.png'] = 'non-radiograph'
    document_page().save(os.path.join(OUT, 'others', 'document_page.png'), optimize=True)
    fixtures['others/document_page.png'] = 'non-radiograph'
    bar_chart()
    fixtures['others/bar_chart.png'] = 'non-radiograph'

    golden = {'about': 'scripts/ood_fixtures.py: Pillow Image.BOX to 56 px of the 224 px gray image; numpy statistics', 'fixtures': {}}
    for rel, kind in fixtures.items():
        image = Image.open(os.path.join(OUT, rel))
        # The lab's stored image: gray (ITU-R BT.601, as Pillow's convert('L')), stretched to 224 x 224.
        gray224 = image.convert('L').resize((224, 224), Image.BOX if min(image.size) >= 224 else Image.BILINEAR)
        gray56 = np.asarray(gray224.resize((56, 56), Image.BOX))
        golden['fixtures'][rel] = {
            'kind': kind,
            'colourFraction': colour_fraction(image),
            'gray56': base64.b64encode(gray56.astype(np.uint8).tobytes()).decode(),
            'stats': stats_of(gray56),
        }
    with open(os.path.join(OUT, 'stats_golden.json'), 'w') as f:
        json.dump(golden, f)
    for rel in fixtures:
        print(f'{os.path.getsize(os.path.join(OUT, rel)):>7} bytes  {rel}')


if __name__ == '__main__':
    main()
