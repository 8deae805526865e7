"""Compares two --debug-dump folders of the exported train.py (and their metrics.json): loss, gradients and updated
tensors of every dumped step, the validation records and the test score. Used by scripts/torchrun_equivalence.sh.
    python scripts/compare_debug_dumps.py <reference run dir> <other run dir> [tolerance]
A run dir holds debug/ and out/. Error of a tensor = max |a - b| / max |a| (relative to the tensor's scale).
Prints one line per step and exits 1 when anything is above the tolerance (default 1e-5).
"""
import json
import os
import sys

import numpy as np
from safetensors.numpy import load_file


def relative_inf(a, b):
    scale = float(np.abs(a).max())
    diff = float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())
    return diff / scale if scale > 0 else diff


def main():
    ref, other = sys.argv[1], sys.argv[2]
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
    worst = 0.0
    step = 1
    while os.path.exists(os.path.join(ref, 'debug', f'step{step}.json')):
        with open(os.path.join(ref, 'debug', f'step{step}.json')) as f:
            a_info = json.load(f)
        with open(os.path.join(other, 'debug', f'step{step}.json')) as f:
            b_info = json.load(f)
        a = load_file(os.path.join(ref, 'debug', f'step{step}.safetensors'))
        b = load_file(os.path.join(other, 'debug', f'step{step}.safetensors'))
        if sorted(a) != sorted(b):
            raise SystemExit(f'step {step}: different tensors')
        grad = max(relative_inf(a[k], b[k]) for k in a if k.startswith('grad/'))
        value = max(relative_inf(a[k], b[k]) for k in a if k.startswith('value/'))
        loss = abs(a_info['loss'] - b_info['loss']) / abs(a_info['loss'])
        print(f'  step {step}: lr {a_info["lr"]:.3g}, loss {a_info["loss"]:.7f} vs {b_info["loss"]:.7f} (rel {loss:.1e}), '
              f'{sum(k.startswith("grad/") for k in a)} tensors: max grad error {grad:.1e}, max updated-tensor error {value:.1e}')
        worst = max(worst, grad, value, loss)
        step += 1
    with open(os.path.join(ref, 'out', 'metrics.json')) as f:
        a_log = json.load(f)
    with open(os.path.join(other, 'out', 'metrics.json')) as f:
        b_log = json.load(f)
    a_eval = a_log['evaluations'] + [dict(a_log['test'], split='test')]
    b_eval = b_log['evaluations'] + [dict(b_log['test'], split='test')]
    for x, y in zip(a_eval, b_eval):
        loss = abs(x['loss'] - y['loss']) / abs(x['loss'])
        same_auroc = x['auroc'] == y['auroc'] and x['images'] == y['images']
        print(f'  {x["split"]} evaluation: loss rel {loss:.1e}, images {x["images"]} vs {y["images"]}, AUROC identical: {same_auroc}')
        worst = max(worst, loss, 0.0 if same_auroc else 1.0)
        if x['split'] == 'test':  # calibration error and the bootstrap interval of the macro AUROC
            ece = max(abs(x['ece'][k] - y['ece'][k]) for k in x['ece'] if x['ece'][k] is not None)
            same_ci = x['macroAurocCi'] == y['macroAurocCi']
            print(f'  test ECE max difference {ece:.1e}, bootstrap interval identical: {same_ci} ({x["macroAurocCi"]})')
            worst = max(worst, ece, 0.0 if same_ci else 1.0)
    print(f'  worst {worst:.1e} (tolerance {tol:g}): {"PASS" if worst <= tol else "FAIL"}')
    sys.exit(0 if worst <= tol else 1)


if __name__ == '__main__':
    main()
