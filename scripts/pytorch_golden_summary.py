"""Collects what the exported train.py produced for each golden case into tests/fixtures/golden/pytorch_export.json.

Called by scripts/golden_pytorch_export.sh with the venv's python (Debian's torch + timm + peft):
    python scripts/pytorch_golden_summary.py <work dir> <fixture json>
Reads, per case folder of <work dir>: debug/initial.safetensors, debug/step<k>.{json,safetensors} (train.py
--debug-dump) and out/metrics.json. LoRA tensors and tensors up to FULL_LIMIT values are stored whole; larger ones
(full fine-tuning) as their L2 norm, sum and SAMPLE values at indices floor(k (n - 1) / (SAMPLE - 1)),
k = 0..SAMPLE-1, of the row-major flattening; the initial tensors as norm and sum only (the lab builds the same
ones). Also stores train.py's image loader output on a few PNGs and DICOMs (for the loader-difference bound; needs
pydicom), the first draws
of its mulberry32, a few hash_string values, its train batch order on small splits, and the library versions.
"""
import base64
import importlib.util
import json
import os
import platform
import sys

import numpy as np
from safetensors.numpy import load_file

FULL_LIMIT = 1024
SAMPLE = 97
LOADER_FILES = [
    ('tests/fixtures/data-study/png16/padchest_style_16bit.png', [48, 80]),
    ('tests/fixtures/data-study/bad/complete.png', [96, 160]),
    ('tests/fixtures/data-study/dicom/mono1_u16_window_explicit.dcm', [8, 4]),
    ('tests/fixtures/data-study/dicom/mono2_s16_rescale_implicit.dcm', [8, 4]),
    ('tests/fixtures/data-study/dicom/mono2_u8_explicit.dcm', [8, 4]),
]


def f32(value):
    return float(f'{float(np.float32(value)):.8g}')  # 8 significant digits: 5e-9 relative, far below the tolerances


def fingerprint(t):
    flat = t.astype(np.float64).ravel()
    return {'shape': list(t.shape), 'l2': float(np.linalg.norm(flat)), 'sum': float(flat.sum())}


def encode(name, t):
    flat = t.astype(np.float32).ravel()
    if flat.size <= FULL_LIMIT or '.lora_' in name:
        return {'shape': list(t.shape), 'data': [f32(v) for v in flat]}
    idx = [k * (flat.size - 1) // (SAMPLE - 1) for k in range(SAMPLE)]
    return dict(fingerprint(t), sample=[f32(flat[i]) for i in idx])


def case_summary(folder):
    debug = os.path.join(folder, 'debug')
    steps = []
    k = 1
    while os.path.exists(os.path.join(debug, f'step{k}.json')):
        with open(os.path.join(debug, f'step{k}.json')) as f:
            info = json.load(f)
        tensors = load_file(os.path.join(debug, f'step{k}.safetensors'))
        info['grads'] = {n[5:]: encode(n, t) for n, t in sorted(tensors.items()) if n.startswith('grad/')}
        info['values'] = {n[6:]: encode(n, t) for n, t in sorted(tensors.items()) if n.startswith('value/')}
        steps.append(info)
        k += 1
    with open(os.path.join(folder, 'out', 'metrics.json')) as f:
        metrics = json.load(f)
    with open(os.path.join(folder, 'config.json')) as f:
        config = json.load(f)
    config.pop('export')
    return {
        'config': config,
        'initial': {n: fingerprint(t) for n, t in sorted(load_file(os.path.join(debug, 'initial.safetensors')).items())},
        'steps': steps,
        'metrics': {'steps': [{k: s[k] for k in ('step', 'loss', 'lr')} for s in metrics['steps']],
                    'evaluations': metrics['evaluations'], 'params': metrics['params'], 'test': metrics['test']},
    }


def main():
    work, target = sys.argv[1], sys.argv[2]
    cases = sorted(d for d in os.listdir(work) if os.path.isdir(os.path.join(work, d)))
    spec = importlib.util.spec_from_file_location('exported_train', os.path.join(work, cases[0], 'train.py'))
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    try:
        import pydicom
    except ImportError:
        raise SystemExit('the DICOM entries need pydicom: pip install pydicom into this python (or put it on PYTHONPATH)')
    import peft
    import PIL
    import safetensors
    import timm
    import torch
    loader = []
    for path, sizes in LOADER_FILES:
        for size in sizes:
            pixels = train.load_storage_image(path, size)
            loader.append({'file': path, 'size': size, 'pixels': base64.b64encode(pixels.tobytes()).decode()})
    draws = {}
    for seed in (0, 11, 2 ** 31 + 5, (11 & 0xFFFFFFFF) ^ 0x9E3779B9):
        rand = train.mulberry32(seed)
        draws[str(seed)] = [rand() for _ in range(6)]
    hashes = {f'{text}|{seed}': train.hash_string(text, seed) for text, seed in
              (('train-epoch:0', 11), ('step:2', 3), ('Patient ü/図 🫁', 0), ('', 2 ** 32 - 1))}
    orders = []
    for images, batch_size, seed, count in ((3, 4, 5, 4), (10, 4, 7, 6), (8, 4, 11, 5)):
        batches = train.train_batches(images, batch_size, seed)
        orders.append({'images': images, 'batchSize': batch_size, 'seed': seed, 'batches': [next(batches) for _ in range(count)]})
    out = {
        'about': 'Made by scripts/golden_pytorch_export.sh: the exported train.py run on tests/fixtures/pytorch; '
                 'compared with the lab by tests/io/pytorchExport.test.ts.',
        'versions': {'python': platform.python_version(), 'torch': torch.__version__,
                     'torchDebianPackage': os.environ.get('TORCH_DEB_VERSION', 'unknown'), 'timm': timm.__version__,
                     'peft': peft.__version__, 'safetensors': safetensors.__version__, 'numpy': np.__version__,
                     'Pillow': PIL.__version__, 'pydicom': pydicom.__version__},
        'encoding': {'fullLimit': FULL_LIMIT, 'sample': SAMPLE},
        'mulberry32': draws,
        'hashString': hashes,
        'batchOrder': orders,
        'loader': loader,
        'cases': {name: case_summary(os.path.join(work, name)) for name in cases},
    }
    with open(target, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
