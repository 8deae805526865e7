"""Builds the small real-data folders the issue-4 end-to-end tests drop into the browser.

Run from the repository root with Debian's Python: /usr/bin/python3 scripts/make_e2e_study_fixtures.py
Sources (see e2e/fixtures/SOURCE.md): NIH ChestX-ray14 images + original CSV rows (../shared/data/nih1000-64px),
the real SIIM chest DICOM and synthetic DICOMs / broken files made by scripts/make_broken_fixtures.py
(tests/fixtures/data-study/).
"""
import csv
import shutil
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / 'shared' / 'data'
OUT = ROOT / 'e2e' / 'fixtures'
BAD = ROOT / 'tests' / 'fixtures' / 'data-study' / 'bad'
DICOM = ROOT / 'tests' / 'fixtures' / 'data-study' / 'dicom'


def nih_mini():
    """NIH layout: original CSV rows for 16 images (incl. RGBA files of the release) + one row without image,
    one image without row, and broken files that carry CSV rows."""
    src = SHARED / 'nih1000-64px'
    dst = OUT / 'nih-mini'
    shutil.rmtree(dst, ignore_errors=True)
    (dst / 'images').mkdir(parents=True)
    files = sorted((src / 'NIH1000').glob('*/*/*.png'))
    rgba = [f for f in files if Image.open(f).mode == 'RGBA'][:2]
    others = [f for f in files if f not in rgba]
    chosen = rgba + others[::40][:14]
    rows = {r['Image Index']: r for r in csv.DictReader(open(src / 'Data_Entry_2017_v2020.csv'))}
    header = list(next(iter(rows.values())).keys())
    with open(dst / 'Data_Entry_2017_v2020.csv', 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for f in chosen:
            shutil.copy(f, dst / 'images' / f.name)
            w.writerow(rows[f.name])
        # A row whose image is not in the folder (real row of an image left out).
        w.writerow(rows[others[-1].name])
        # Broken files that do have rows (rows of real images, re-pointed at the broken files' names).
        for i, name in enumerate(['zero_byte.png', 'truncated.png', 'not_an_image.png', 'huge_4096.png']):
            fake_index = f'0009999{i}_000.png'
            shutil.copy(BAD / name, dst / 'images' / fake_index)
            row = dict(rows[others[i].name])
            row['Image Index'] = fake_index
            row['Patient ID'] = str(99990 + i)
            w.writerow(row)
    # An image without a CSV row.
    shutil.copy(others[-2], dst / 'images' / 'extra_without_row.png')


def rsna_mini():
    """RSNA layout: stage_2_train_labels.csv (two rows for the positive image, as RSNA has one per box) and DICOMs:
    the real SIIM JPEG-baseline file, two synthetic uncompressed ones, and one unsupported (JPEG 2000)."""
    dst = OUT / 'rsna-mini'
    shutil.rmtree(dst, ignore_errors=True)
    (dst / 'stage_2_train_images').mkdir(parents=True)
    files = {
        'a1b2c3d4-0001-siim-real': ('siim_sample_jpeg_baseline.dcm', [(1, '264', '152', '213', '379'), (1, '562', '152', '256', '453')]),
        'a1b2c3d4-0002-mono1-u16': ('mono1_u16_window_explicit.dcm', [(0, '', '', '', '')]),
        'a1b2c3d4-0003-mono2-s16': ('mono2_s16_rescale_implicit.dcm', [(0, '', '', '', '')]),
        'a1b2c3d4-0004-jpeg2000': ('unsupported_jpeg2000.dcm', [(1, '100', '100', '50', '50')]),
    }
    with open(dst / 'stage_2_train_labels.csv', 'w', newline='') as fh:
        w = csv.writer(fh)
        w.writerow(['patientId', 'x', 'y', 'width', 'height', 'Target'])
        for pid, (name, boxes) in files.items():
            shutil.copy(DICOM / name, dst / 'stage_2_train_images' / f'{pid}.dcm')
            for target, x, y, width, height in boxes:
                w.writerow([pid, x, y, width, height, target])


def bad_folder():
    """Class folders with good and realistically broken files."""
    dst = OUT / 'bad-folder'
    shutil.rmtree(dst, ignore_errors=True)
    kermany = SHARED / 'kermany-pneumonia-224' / 'dataset' / 'train'
    for cls in ['NORMAL', 'PNEUMONIA']:
        (dst / cls).mkdir(parents=True)
        for f in sorted((kermany / cls).glob('*.jpeg'))[-3:]:
            img = Image.open(f).convert('L').resize((64, 64))
            img.save(dst / cls / f'{f.stem}.png')
    for name in ['zero_byte.png', 'truncated.png', 'truncated.jpeg', 'not_an_image.png', 'huge_4096.png']:
        shutil.copy(BAD / name, dst / 'PNEUMONIA' / name)
    (dst / 'NORMAL' / 'notes.txt').write_text('not an image\n')


SOURCES = {
    'nih-mini': 'NIH ChestX-ray14 (Wang et al., CVPR 2017; NIH Clinical Center, unrestricted use): 16 images of '
    '../shared/data/nih1000-64px (64 px, two of them RGBA as in the original release) with their original '
    '`Data_Entry_2017_v2020.csv` rows, one real row whose image is left out, one image without a row '
    '(`extra_without_row.png`), and four broken files (`0009999N_000.png`: zero-byte, truncated, not an image, '
    '4096 x 4096) given copies of real rows with made-up patient ids 99990-99993.',
    'rsna-mini': 'RSNA layout around DICOMs: the real SIIM-ACR chest DICOM (JPEG Baseline, see '
    '../shared/data/real-index/SOURCES.txt) and synthetic 8 x 8 DICOMs written byte by byte by '
    'scripts/make_broken_fixtures.py (MONOCHROME1 16-bit, signed 16-bit with rescale, and an unsupported JPEG 2000 '
    'transfer syntax). The synthetic files carry FAKE identifying tags (Doe^Jane, PAT-ID-12345) so that tests can '
    'check they never reach the page or the store. File stems and the CSV are made up in the RSNA format.',
    'bad-folder': 'Class folders: 3 + 3 Kermany pediatric radiographs (Cell 2018, CC BY 4.0) as 64 px PNGs, plus '
    'broken files made from real images by scripts/make_broken_fixtures.py (zero-byte, truncated PNG / JPEG, a '
    'text file named .png, a 4096 x 4096 PNG) and a stray notes.txt.',
}


def write_sources():
    for folder, text in SOURCES.items():
        (OUT / f'{folder}.SOURCE.md').write_text(
            f'# {folder}\n\nMade by scripts/make_e2e_study_fixtures.py. {text}\nNot for medical use.\n')


if __name__ == '__main__':
    nih_mini()
    rsna_mini()
    bad_folder()
    write_sources()
    print('wrote', OUT)
