#!/usr/bin/python3
"""Golden fixtures for the lab's training core, computed by Debian's PyTorch (and scikit-learn for AUROC).

Run:  /usr/bin/python3 scripts/make_golden.py
Writes (deterministic, fixed seeds; < 3 MB in all):
  tests/fixtures/golden/vit_gray_lora_qv.json  img 32, patch 8, dim 32, depth 2, heads 2, 3 labels, batch 4,
      grayscale input [4, 1, 32, 32] replicated to 3 channels; LoRA r=4, alpha=12 on q, v of the fused qkv.
      Logits, BCE loss, gradients of every trainable tensor for LoRA / FFT / linear probe; a masked loss;
      merged weights W + scaling B A; the same adapter at alpha 24. Token embeddings are scaled down so the
      first LayerNorm's input variance is near its eps (a wrong eps, e.g. 1e-5, then fails the 1e-5 bar).
  tests/fixtures/golden/vit_rgb_lora_wide.json  img 16, patch 4, dim 16, 3-channel input, LoRA r=3, alpha=5 on
      q, k, v, attn.proj, mlp.fc1 and mlp.fc2; the same adapter with rsLoRA scaling (alpha / sqrt r).
  tests/fixtures/golden/vit_rgb_lora_k_rslora.json  LoRA on k and mlp.fc2 only, rsLoRA, r=4, alpha=6 (LoRA results only).
  tests/fixtures/golden/optimizer_steps.json  two steps of SGD (momentum 0.9, weight decay) and AdamW (decoupled
      weight decay), both with MAE's layer-wise lr decay groups (0.65), for FFT and LoRA.
  tests/fixtures/golden/metrics.json  AUROC from sklearn.metrics.roc_auc_score, MAE's lr schedule, truncated SVD.
  src/train/selfCheckGolden.json  the few-KB golden shipped in the bundle for the start-up gradient self-check.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_cases import forward_case, optimizer_case, self_check_case  # noqa: E402
from golden_io import GOLDEN_DIR, ROOT, write_json  # noqa: E402
from golden_metrics import auroc_cases, low_rank_cases, schedule_cases  # noqa: E402


def vit_cfg(img, patch, dim, depth, heads, mlp_ratio, classes, in_chans=3):
    return {'imgSize': img, 'patchSize': patch, 'inChans': in_chans, 'embedDim': dim, 'depth': depth,
            'numHeads': heads, 'mlpRatio': mlp_ratio, 'numClasses': classes, 'layerNormEps': 1e-6}


def lora_cfg(r, alpha, qkv, proj=False, fc1=False, fc2=False, rs=False):
    return {'r': r, 'lora_alpha': alpha, 'lora_dropout': 0.0, 'use_rslora': rs,
            'targets': {'qkv': qkv, 'proj': proj, 'fc1': fc1, 'fc2': fc2}}


MAIN = vit_cfg(32, 8, 32, 2, 2, 4, 3)
MICRO = vit_cfg(16, 4, 16, 2, 2, 4, 3)
SELF_CHECK = vit_cfg(4, 2, 8, 1, 2, 2, 2)

OPTIMIZERS = [
    {'kind': 'sgd', 'momentum': 0.9, 'weightDecay': 0.05, 'layerDecay': 0.65, 'lrs': [1.0, 2.0]},
    {'kind': 'adamw', 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.05, 'layerDecay': 0.65,
     'lrs': [0.01, 0.02]},
]


def main():
    torch.set_num_threads(1)
    sizes = {}

    def put(rel, obj, base=GOLDEN_DIR):
        path = os.path.join(base, rel)
        sizes[os.path.relpath(path, ROOT)] = write_json(path, obj)

    put('vit_gray_lora_qv.json', forward_case(MAIN, lora_cfg(4, 12.0, ['q', 'v']), batch=4, channels=1, seed=1,
                                              extra_lora=[{'lora_alpha': 24.0}], embed_scale=0.003))
    put('vit_rgb_lora_wide.json', forward_case(MICRO, lora_cfg(3, 5.0, ['q', 'k', 'v'], True, True, True), batch=4,
                                               channels=3, seed=2, extra_lora=[{'use_rslora': True}]))
    put('vit_rgb_lora_k_rslora.json', forward_case(MICRO, lora_cfg(4, 6.0, ['k'], fc2=True, rs=True), batch=3,
                                                   channels=3, seed=3, methods=('lora',)))
    put('optimizer_steps.json', optimizer_case(MICRO, lora_cfg(2, 5.0, ['q', 'v']), batch=4, channels=1, seed=4,
                                               settings=OPTIMIZERS))
    put('metrics.json', {'auroc': auroc_cases(), 'schedule': schedule_cases(), 'lowRank': low_rank_cases()})
    put(os.path.join('src', 'train', 'selfCheckGolden.json'),
        self_check_case(SELF_CHECK, lora_cfg(2, 4.0, ['q', 'v']), batch=2, seed=5, scale=1 / 64), base=ROOT)

    for path, size in sizes.items():
        print(f'{size / 1024:8.1f} KiB  {path}')
    print(f'{sum(sizes.values()) / 1024:8.1f} KiB  in all')


if __name__ == '__main__':
    main()
