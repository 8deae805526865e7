"""Goldens that need no ViT: AUROC (scikit-learn), the learning-rate schedule (MAE's formula), truncated SVD."""
import math

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from golden_io import round9, tensor_json, uniform32, normal32


def _auroc_or_none(scores, targets):
    # sklearn raises ValueError when only one class is present: the lab reports that label as undefined (null).
    if len(set(targets.tolist())) < 2:
        return None
    return round9(roc_auc_score(targets, scores))


def auroc_cases():
    rng = np.random.default_rng(7)
    cases = []

    def binary(name, scores, targets, mask=None):
        s, t = np.asarray(scores, float), np.asarray(targets, float)
        keep = np.ones_like(t, bool) if mask is None else np.asarray(mask) > 0
        cases.append({'name': name, 'scores': [round9(v) for v in s], 'targets': t.astype(int).tolist(),
                      'mask': None if mask is None else np.asarray(mask).astype(int).tolist(),
                      'auroc': _auroc_or_none(s[keep], t[keep])})

    binary('perfect', [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
    binary('inverted', [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])
    binary('all scores tied', [0.5] * 6, [0, 1, 0, 1, 1, 0])
    binary('ties across classes', [0.1, 0.4, 0.4, 0.4, 0.8, 0.8, 0.2], [0, 0, 1, 1, 1, 0, 1])
    binary('one class only (positives)', [0.1, 0.5, 0.9], [1, 1, 1])
    binary('one class only (negatives)', [0.1, 0.5, 0.9], [0, 0, 0])
    binary('single pair', [0.3, 0.3], [1, 0])
    binary('masked entries change the answer', [0.9, 0.1, 0.8, 0.3, 0.7, 0.2], [0, 0, 1, 1, 1, 0], [0, 1, 1, 1, 1, 1])
    binary('mask leaves one class', [0.9, 0.1, 0.8, 0.3], [0, 1, 1, 1], [0, 1, 1, 1])
    s = np.round(rng.random(301), 2)  # heavy ties
    binary('301 scores on a 0.01 grid', s, (rng.random(301) < 0.3 + 0.4 * s).astype(int))
    binary('negative logits as scores', rng.normal(-3, 2, 50), (rng.random(50) < 0.5).astype(int))

    # Many labels (NIH's 14), with masks, one constant label and one label left with one class by its mask.
    n, k = 120, 14
    scores = np.round(rng.random((n, k)), 3)
    targets = (rng.random((n, k)) < 0.2 + 0.5 * scores).astype(int)
    targets[:, 5] = 0
    mask = (rng.random((n, k)) < 0.85).astype(int)
    targets[:, 9] = 1
    targets[:3, 9] = 0
    mask[:3, 9] = 0
    per_label = []
    for j in range(k):
        keep = mask[:, j] > 0
        per_label.append(_auroc_or_none(scores[keep, j], targets[keep, j]))
    defined = [v for v in per_label if v is not None]
    multi = {'numLabels': k, 'scores': [round9(v) for v in scores.reshape(-1)], 'targets': targets.reshape(-1).tolist(),
             'mask': mask.reshape(-1).tolist(), 'perLabel': per_label,
             'macro': round9(float(np.mean([roc_auc_score(targets[mask[:, j] > 0, j], scores[mask[:, j] > 0, j])
                                            for j in range(k) if per_label[j] is not None]))) if defined else None}
    return {'binary': cases, 'multiLabel': multi}


def mae_lr(epoch, lr, min_lr, warmup_epochs, epochs):
    """MAE / MRM util/lr_sched.adjust_learning_rate, evaluated at a fractional epoch (step / iters per epoch)."""
    if epoch < warmup_epochs:
        return lr * epoch / warmup_epochs
    return min_lr + (lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * (epoch - warmup_epochs) / (epochs - warmup_epochs)))


def schedule_cases():
    cases = []
    for blr, batch, min_lr, warmup, epochs, iters in ((3e-3, 64, 1e-6, 5, 40, 7), (5e-4, 32, 1e-6, 1, 3, 10),
                                                      (0.05, 256, 0.0, 2, 10, 3)):
        lr = blr * batch / 256  # the MAE rule
        steps = list(range(0, epochs * iters))
        cases.append({'baseLr': blr, 'batchSize': batch, 'peakLr': round9(lr), 'minLr': min_lr,
                      'warmupEpochs': warmup, 'epochs': epochs, 'itersPerEpoch': iters, 'steps': steps,
                      'lrs': [round9(mae_lr(s / iters, lr, min_lr, warmup, epochs)) for s in steps]})
    return cases


def low_rank_cases():
    """Truncated SVD of a LoRA update s B A (torch.linalg.svd, float64) and the Eckart–Young errors
    ||s B A - best rank-k||_F = sqrt(sum of the squared tail singular values), checked here by reconstruction."""
    gen = torch.Generator().manual_seed(11)
    cases = []
    for name, out_f, in_f, r, alpha, deficient in (('full rank', 16, 12, 6, 10.0, False),
                                                    ('B of rank 2', 20, 9, 5, 7.0, True),
                                                    ('wide', 8, 24, 8, 16.0, False)):
        a = uniform32(gen, (r, in_f), 1 / math.sqrt(in_f))
        b = normal32(gen, (out_f, r), 0.3)
        if deficient:
            b = (normal32(gen, (out_f, 2), 0.3) @ normal32(gen, (2, r), 1.0)).to(torch.float32)
        s = alpha / r
        delta = s * b.double() @ a.double()
        u, sv, vh = torch.linalg.svd(delta, full_matrices=False)
        errors = []
        for k in range(1, r + 1):
            approx = u[:, :k] @ torch.diag(sv[:k]) @ vh[:k]
            err = torch.linalg.norm(delta - approx).item()
            tail = math.sqrt(float((sv[k:] ** 2).sum()))
            assert abs(err - tail) <= 1e-9 * max(1.0, sv[0].item()), (err, tail)
            errors.append(round9(tail))
        cases.append({'name': name, 'r': r, 'lora_alpha': alpha, 'scaling': s, 'lora_A': tensor_json(a),
                      'lora_B': tensor_json(b), 'singularValues': [round9(v) for v in sv.tolist()],
                      'truncationErrors': errors})
    return cases
