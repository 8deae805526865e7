"""Seeded float32 ViT weights that the lab can rebuild without reading them from a fixture.

The saliency golden (golden_saliency.py) would otherwise ship ~150k weights of the tiny ViT. Instead both sides
draw them from the lab's own PRNG: src/run/random.ts `mulberry32` seeded with `hashString(name, seed)` per tensor,
ported here line for line (mulberry32 by Tommy Ettinger, public domain; FNV-1a 32-bit with MurmurHash3's fmix32).
Every value is (2 u - 1) * bound (+ centre) computed in float64 and rounded once to float32, so both languages get
the same bits; the fixture also stores a first value and a float64 sum per tensor, which the test checks first.
tests/model/seededWeights.ts is the TypeScript side.
"""
import math

import torch

M32 = 0xFFFFFFFF


def imul(a, b):
    """Math.imul: the low 32 bits of the product, as an unsigned int."""
    return (a * b) & M32


def mulberry32(seed):
    state = seed & M32

    def rand():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return rand


def hash_string(text, seed=0):
    h = (0x811C9DC5 ^ seed) & M32
    for ch in text:
        h ^= ord(ch)
        h = imul(h, 0x01000193)
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h & M32


def value_range(name, shape):
    """(centre, bound) of the uniform draw: O(1) activations, attention far from uniform (see the TS twin)."""
    if name.endswith(('norm1.weight', 'norm2.weight')) or name == 'fc_norm.weight':
        return 1.0, 0.2
    if name.endswith('.bias'):
        return 0.0, 0.2
    if name in ('cls_token', 'pos_embed'):
        return 0.0, 0.8
    fan_in = math.prod(shape[1:])
    # qkv twice as wide as the rest: sharper attention, so the rollout golden is not a near-uniform map.
    scale = 2.0 if name.endswith('attn.qkv.weight') else 1.0
    return 0.0, scale * math.sqrt(3.0 / fan_in)


def seeded_tensor(name, shape, seed, centre, bound):
    rand = mulberry32(hash_string(name, seed))
    n = math.prod(shape)
    values = [centre + (2.0 * rand() - 1.0) * bound for _ in range(n)]
    return torch.tensor(values, dtype=torch.float64).to(torch.float32).reshape(shape)


def seeded_vit_weights(shapes, seed):
    """name -> float32 tensor for every (name, shape) of the model's state dict."""
    return {name: seeded_tensor(name, list(shape), seed, *value_range(name, list(shape))) for name, shape in shapes.items()}


def weight_checks(weights):
    """name -> [first value, float64 sum]: lets the test prove it rebuilt the same tensors."""
    return {k: [float(v.reshape(-1)[0]), float(v.double().sum())] for k, v in weights.items()}
