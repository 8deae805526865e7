#!/usr/bin/python3
"""The tiny real dataset of the PyTorch-export golden (tests/fixtures/pytorch/), from the NIH ChestX-ray14 sample.

Run from the repository root:  /usr/bin/python3 scripts/make_pytorch_fixture_images.py
Takes, in file-name order, the first 10 images with Pneumonia and the first 10 with No Finding from
../shared/data/nih-sample, box-downscales them from 1024 x 1024 to 96 x 96 8-bit gray (Pillow Image.BOX) and writes
images/<name>.png plus index.csv (path, split, Pneumonia, Effusion from the NIH "Finding Labels"). Splits: per
class 4 train, 3 val, 3 test. Two Effusion labels are set to -1 (ignored) to exercise the lab's label mask.
The 96 px storage size differs from the model's 64 px input, so the golden also covers the resize step.
"""
import csv
import os

from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SOURCE = os.path.join(ROOT, '..', 'shared', 'data', 'nih-sample')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'pytorch')
SIZE = 96
SPLIT_OF_POSITION = ['train', 'train', 'train', 'val', 'test', 'train', 'val', 'val', 'test', 'test']
IGNORED_EFFUSION = {'00000910_001.png', '00001323_002.png'}


def main():
    with open(os.path.join(SOURCE, 'Data_Entry_2017_v2020.csv'), newline='') as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r['Image Index'])
    pneumonia = [r for r in rows if 'Pneumonia' in r['Finding Labels'].split('|')][:10]
    normal = [r for r in rows if r['Finding Labels'] == 'No Finding'][:10]
    os.makedirs(os.path.join(OUT, 'images'), exist_ok=True)
    index = []
    for group in (pneumonia, normal):
        for position, row in enumerate(group):
            name = row['Image Index']
            with Image.open(os.path.join(SOURCE, 'images', name)) as image:
                image.convert('L').resize((SIZE, SIZE), Image.BOX).save(os.path.join(OUT, 'images', name), optimize=True)
            findings = row['Finding Labels'].split('|')
            effusion = -1 if name in IGNORED_EFFUSION else int('Effusion' in findings)
            index.append([f'images/{name}', SPLIT_OF_POSITION[position], int('Pneumonia' in findings), effusion])
    with open(os.path.join(OUT, 'index.csv'), 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(['path', 'split', 'Pneumonia', 'Effusion'])
        writer.writerows(sorted(index))


if __name__ == '__main__':
    main()
