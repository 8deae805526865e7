#!/usr/bin/python3
"""Pillow side of the ingest benchmark (issue 4): decode the 1024 x 1024 NIH PNGs and resize them to
224 x 224 8-bit grayscale with N processes, the work the lab's decoding workers do in the browser.

Usage (from the repository root):
    /usr/bin/python3 scripts/bench_ingest_pillow.py [--processes N] [--size 224] [--repeat R]
                                                    [--filter bilinear|box|bicubic|lanczos] [--images DIR]

Prints one JSON object on stdout, e.g.
    {"loader": "pillow", "pillow": "9.4.0", "processes": 2, "cpuCount": 2, "images": 424, "size": 224,
     "filter": "bilinear", "seconds": 3.1, "imagesPerSecond": 136.8}
`images` = files x repeat; `seconds` is wall-clock time of the timed pass only (a first untimed pass warms the
page cache and the process pool). The browser side (npm run bench) reports the same fields for comparison.
"""
import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

import PIL
from PIL import Image

FILTERS = {'bilinear': Image.BILINEAR, 'box': Image.BOX, 'bicubic': Image.BICUBIC, 'lanczos': Image.LANCZOS}
DEFAULT_IMAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '..', 'shared', 'data',
                              'nih-sample', 'images')

_size = 224
_filter = Image.BILINEAR


def _init(size, filter_name):
    global _size, _filter
    _size, _filter = size, FILTERS[filter_name]


def decode_resize(path):
    """Decode, convert to 8-bit gray (ITU-R 601 luma for RGB/RGBA), stretch to size x size."""
    with Image.open(path) as img:
        gray = img.convert('L').resize((_size, _size), _filter)
        return len(gray.tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--processes', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--repeat', type=int, default=2, help='passes over the image folder in the timed run')
    parser.add_argument('--filter', choices=sorted(FILTERS), default='bilinear')
    parser.add_argument('--images', default=DEFAULT_IMAGES)
    args = parser.parse_args()

    files = sorted(os.path.join(args.images, f) for f in os.listdir(args.images) if f.lower().endswith('.png'))
    if not files:
        sys.exit(f'no PNG files in {args.images}')
    work = files * args.repeat
    with Pool(args.processes, initializer=_init, initargs=(args.size, args.filter)) as pool:
        pool.map(decode_resize, files[: max(args.processes * 2, 1)])  # warm-up, untimed
        started = time.perf_counter()
        sizes = pool.map(decode_resize, work, chunksize=4)
        seconds = time.perf_counter() - started
    assert all(s == args.size * args.size for s in sizes)
    print(json.dumps({
        'loader': 'pillow',
        'pillow': PIL.__version__,
        'processes': args.processes,
        'cpuCount': os.cpu_count(),
        'images': len(work),
        'size': args.size,
        'filter': args.filter,
        'seconds': round(seconds, 3),
        'imagesPerSecond': round(len(work) / seconds, 1),
    }))


if __name__ == '__main__':
    main()
