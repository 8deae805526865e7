"""Shared helpers for the numerics goldens: seeded float32 weights, and compact JSON writing.

Weights are drawn in float32 and the references are computed in float64 from exactly those values, so the lab
(float32) and the reference start from identical numbers. 9 significant digits identify a float32 uniquely,
so the written weights load back bit-exactly; float64 results are rounded to 9 digits (1e-9 relative), far
below the tolerances tested (1e-5 and 1e-4).
"""
import json
import math
import os

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
GOLDEN_DIR = os.path.join(ROOT, 'tests', 'fixtures', 'golden')


def round9(x):
    return float(f'{x:.9g}')


def tensor_json(t, digits=9):
    t = t.detach().to(torch.float64).contiguous()
    fmt = f'{{:.{digits}g}}'
    return {'shape': list(t.shape), 'data': [float(fmt.format(v)) for v in t.reshape(-1).tolist()]}


def tensors_json(named, digits=9):
    return {k: tensor_json(v, digits) for k, v in named.items()}


def int_tensor_json(t, scale):
    """Small tensors whose values are integers times `scale` (a power of two): exact and a few bytes each."""
    ints = torch.round(t.detach().to(torch.float64) / scale)
    assert torch.equal(ints * scale, t.detach().to(torch.float64)), 'values are not multiples of scale'
    return {'shape': list(t.shape), 'scale': scale, 'ints': [int(v) for v in ints.reshape(-1).tolist()]}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    return os.path.getsize(path)


def normal32(gen, shape, std, mean=0.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * std + mean).to(torch.float32)


def uniform32(gen, shape, bound):
    return ((torch.rand(*shape, generator=gen, dtype=torch.float32) * 2 - 1) * bound).to(torch.float32)


def random_base_weights(model, gen):
    """O(1) activations everywhere (so LayerNorm, GELU and softmax are exercised away from their linear regime)."""
    with torch.no_grad():
        for name, p in model.base_state().items():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'fc_norm.weight':
                p.copy_(normal32(gen, p.shape, 0.1, 1.0))
            elif name.endswith('.bias'):
                p.copy_(normal32(gen, p.shape, 0.1))
            elif name in ('cls_token', 'pos_embed'):
                p.copy_(normal32(gen, p.shape, 0.5))
            elif name == 'head.weight':
                p.copy_(normal32(gen, p.shape, 1.0 / math.sqrt(p.shape[1])))
            else:
                fan_in = p[0].numel()
                p.copy_(normal32(gen, p.shape, 1.0 / math.sqrt(fan_in)))


def random_lora_weights(model, gen, b_std=0.2):
    """A as Kaiming-uniform(a=sqrt 5) = U(+-1/sqrt(in)); B non-zero so that A's gradients are non-trivial."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('lora_A'):
                p.copy_(uniform32(gen, p.shape, 1.0 / math.sqrt(p.shape[1])))
            elif name.endswith('lora_B'):
                p.copy_(normal32(gen, p.shape, b_std))
