"""Golden saliency maps from the real timm VisionTransformer (+ HF PEFT LoRA), for tests/model/saliency.test.ts.

    V=$(../shared/tools/torch-peft-venv.sh); $V/bin/python scripts/golden_saliency.py

Reference model: timm's `VisionTransformer` in the lab's `tiny` shape (64 px, patch 16, width 64, depth 2,
2 heads, global_pool='avg' over patch tokens, fc_norm), weights drawn by seeded_weights.py (the lab rebuilds them
from the same seed), computed in float64. The LoRA variant wraps it with `peft.get_peft_model`, LoRA on every
block's fused `attn.qkv` and on `attn.proj`. PEFT adapts the fused qkv with one A [r, D] and one B [3D, r]; the
lab keeps one A/B pair per part (q, k, v). With the k rows of B zero, PEFT's update scaling * B A equals the lab's
q,v adapter with A_q = A_v = A, B_q = B[0:D], B_v = B[2D:3D]: the fixture stores those lab-named tensors.

Inputs: two real NIH ChestX-ray14 radiographs (see SOURCES below) at 64x64, 8-bit grayscale, normalised as the
lab does (p / 255 - mean) / std in float32 (MRM's mean/std), replicated to 3 channels by `expand`.

Outputs per model (plain, lora):
- `inputGradient` [2, 1, 64, 64]: d logit[label] / d gray input (x.grad through the 3-channel expand).
- `gradTimesInput` [2, 64, 64] (plain model): (x3 * x3.grad).sum over channels, the 3-channel copy x3 a leaf.
- `rolloutGrid` [2, 4, 4] and `rolloutMap` [2, 64, 64] (plain model): attention rollout (Abnar & Zuidema 2020) from the
  attention probabilities timm computes, caught by a forward hook on each block's `attn.attn_drop` (identity in eval
  mode): per block the head mean plus the identity, rows renormalised, multiplied over blocks; mean over the
  patch-token rows (the classifier pools patch tokens), patch columns, reshaped to the grid, upsampled with
  F.interpolate(bilinear, align_corners=False).
Maps are stored as integers times a power of two (about 2^-20 of their largest value) to keep the file small.
- `smoothGrad` (LoRA model, image 0): SmoothGrad (Smilkov et al. 2017) of gradient x input over `samples` noisy
  copies, the noise being the lab's seeded Box-Muller normals times noiseStd * (max - min) of the image.
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from peft import LoraConfig, get_peft_model
from timm.models.vision_transformer import VisionTransformer

from golden_io import GOLDEN_DIR, int_tensor_json, tensor_json, write_json
from seeded_weights import mulberry32, seeded_tensor, seeded_vit_weights, weight_checks

CONFIG = {'imgSize': 64, 'patchSize': 16, 'inChans': 3, 'embedDim': 64, 'depth': 2, 'numHeads': 2, 'mlpRatio': 4,
          'numClasses': 3, 'layerNormEps': 1e-6}
WEIGHT_SEED = 20240611
LORA_SEED = 99
MRM = {'mean': 0.4978, 'std': 0.2449}
LORA = {'r': 4, 'lora_alpha': 8.0, 'lora_dropout': 0.0, 'use_rslora': False,
        'targets': {'qkv': ['q', 'v'], 'proj': True, 'fc1': False, 'fc2': False}}
LABELS = {'plain': 0, 'lora': 2}
SMOOTH = {'samples': 4, 'noiseStd': 0.15, 'seed': 7, 'image': 0}
RESOLUTION_BITS = 20
DATA = os.environ.get('CXR_DATA', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data'))
IMAGES = ['nih1000-64px/NIH1000/valid/0_normal/00000183_001.png', 'nih1000-64px/NIH1000/valid/1_abnormal/']
SOURCES = ('NIH ChestX-ray14 (Wang et al., CVPR 2017), unrestricted use, via dinbe0527/kcr2019d1 64x64 copies; '
           'converted to 8-bit grayscale with PIL convert("L")')


def quantised_json(t):
    """Integers times a power of two near max|t| / 2^20: error <= 2^-21 of the largest value (5e-7), well under
    the tolerances tested (1e-4, 1e-5), at about half the characters of 8-digit decimals."""
    t = t.detach().to(torch.float64)
    scale = 2.0 ** (math.ceil(math.log2(float(t.abs().max()))) - RESOLUTION_BITS)
    return int_tensor_json(torch.round(t / scale) * scale, scale)


def timm_vit():
    torch.manual_seed(0)  # timm's own init is overwritten below; seeded only so the script is reproducible
    return VisionTransformer(
        img_size=CONFIG['imgSize'], patch_size=CONFIG['patchSize'], in_chans=CONFIG['inChans'],
        num_classes=CONFIG['numClasses'], embed_dim=CONFIG['embedDim'], depth=CONFIG['depth'],
        num_heads=CONFIG['numHeads'], mlp_ratio=CONFIG['mlpRatio'], qkv_bias=True, global_pool='avg', fc_norm=True)


def load_images():
    paths = [os.path.join(DATA, IMAGES[0])]
    abnormal = os.path.join(DATA, IMAGES[1])
    paths.append(os.path.join(abnormal, sorted(os.listdir(abnormal))[0]))
    pixels = [np.asarray(Image.open(p).convert('L'), dtype=np.uint8) for p in paths]
    for p in pixels:
        assert p.shape == (CONFIG['imgSize'], CONFIG['imgSize'])
    names = [os.path.relpath(p, DATA) for p in paths]
    return names, np.stack(pixels)


def normalise(pixels):
    """The lab's preprocess in float32: (p / 255 - mean) / std, [B, 1, H, W]."""
    x = torch.tensor(pixels, dtype=torch.float32).unsqueeze(1) / 255
    return (x - torch.tensor(MRM['mean'], dtype=torch.float32)) / torch.tensor(MRM['std'], dtype=torch.float32)


def lora_tensors(d, r):
    """PEFT's fused-qkv A [r, D], B [3D, r] (k rows zero) and proj A/B, seeded; also their lab-named views."""
    peft_t, lab = {}, {}
    for i in range(CONFIG['depth']):
        qkv, proj = f'blocks.{i}.attn.qkv', f'blocks.{i}.attn.proj'
        a = seeded_tensor(f'{qkv}.lora_A', [r, d], LORA_SEED, 0.0, 1 / math.sqrt(d))
        b = seeded_tensor(f'{qkv}.lora_B', [3 * d, r], LORA_SEED, 0.0, 0.3)
        b[d:2 * d] = 0
        peft_t[qkv] = (a, b)
        lab.update({f'{qkv}.lora_A.q': a, f'{qkv}.lora_A.v': a, f'{qkv}.lora_B.q': b[:d], f'{qkv}.lora_B.v': b[2 * d:]})
        pa = seeded_tensor(f'{proj}.lora_A', [r, d], LORA_SEED, 0.0, 1 / math.sqrt(d))
        pb = seeded_tensor(f'{proj}.lora_B', [d, r], LORA_SEED, 0.0, 0.3)
        peft_t[proj] = (pa, pb)
        lab.update({f'{proj}.lora_A': pa, f'{proj}.lora_B': pb})
    return peft_t, lab


def build_models(weights, peft_tensors):
    plain = timm_vit()
    plain.load_state_dict(weights, strict=True)
    base = timm_vit()
    base.load_state_dict(weights, strict=True)
    cfg = LoraConfig(r=LORA['r'], lora_alpha=LORA['lora_alpha'], lora_dropout=0.0,
                     target_modules=r'blocks\.\d+\.attn\.(qkv|proj)')
    lora = get_peft_model(base, cfg)
    with torch.no_grad():
        for module, (a, b) in peft_tensors.items():
            layer = lora.base_model.model.get_submodule(module)
            layer.lora_A['default'].weight.copy_(a)
            layer.lora_B['default'].weight.copy_(b)
    for m in (plain, lora):
        m.double().eval()
        for blk in (m.base_model.model.blocks if m is lora else m.blocks):
            assert not blk.attn.fused_attn, 'this torch has fused attention: the attn_drop hook would not fire'
    return {'plain': plain, 'lora': lora}


def blocks_of(model):
    return model.base_model.model.blocks if hasattr(model, 'base_model') else model.blocks


def gradients(model, x, label):
    """x.grad through the 3-channel expand, and (x3 * x3.grad).sum(1) with x3 a leaf of its own."""
    x1 = x.clone().requires_grad_(True)
    logits = model(x1.expand(-1, CONFIG['inChans'], -1, -1))
    logits[:, label].sum().backward()
    x3 = x.expand(-1, CONFIG['inChans'], -1, -1).clone().requires_grad_(True)
    model(x3)[:, label].sum().backward()
    return logits.detach(), x1.grad, (x3 * x3.grad).sum(1)


def rollout(model, x):
    probs = []
    hooks = [blk.attn.attn_drop.register_forward_hook(lambda _m, _i, out: probs.append(out.detach()))
             for blk in blocks_of(model)]
    with torch.no_grad():
        model(x.expand(-1, CONFIG['inChans'], -1, -1))
    for h in hooks:
        h.remove()
    assert len(probs) == CONFIG['depth']
    t = probs[0].shape[-1]
    eye = torch.eye(t, dtype=probs[0].dtype)
    result = None
    for p in probs:
        a = p.mean(1) + eye  # [B, T, T]
        a = a / a.sum(-1, keepdim=True)
        result = a if result is None else a @ result
    side = CONFIG['imgSize'] // CONFIG['patchSize']
    grid = result[:, 1:, 1:].mean(1).reshape(-1, side, side)  # [B, Hp, Wp]
    up = F.interpolate(grid.unsqueeze(1), size=(CONFIG['imgSize'],) * 2, mode='bilinear', align_corners=False)
    entropy = float(-(probs[-1] * probs[-1].clamp_min(1e-30).log()).sum(-1).mean() / math.log(t))
    return grid, up.squeeze(1), entropy


def seeded_normals(count, seed):
    """Box-Muller on mulberry32 as the lab's smoothGrad draws its noise (see src/model/smoothGrad.ts)."""
    rand = mulberry32(seed)
    out = []
    while len(out) < count:
        u1, u2 = rand(), rand()
        r = math.sqrt(-2.0 * math.log(1.0 - u1))
        out.extend([r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)])
    return torch.tensor(out[:count], dtype=torch.float64).to(torch.float32)


def smooth_grad(model, x, label):
    s = SMOOTH['samples']
    img = x[SMOOTH['image']:SMOOTH['image'] + 1]  # [1, 1, H, W] float32
    sigma = SMOOTH['noiseStd'] * float(img.max() - img.min())
    noise = seeded_normals(s * img.numel(), SMOOTH['seed']).reshape(s, *img.shape[1:])
    noisy = (img + noise * torch.tensor(sigma, dtype=torch.float32)).double()  # [S, 1, H, W]
    _, grad, _ = gradients(model, noisy, label)
    return (noisy * grad).sum(1).mean(0), sigma  # [H, W]


def main():
    shapes = {k: tuple(v.shape) for k, v in timm_vit().state_dict().items()}
    weights = seeded_vit_weights(shapes, WEIGHT_SEED)
    peft_t, lab_lora = lora_tensors(CONFIG['embedDim'], LORA['r'])
    models = build_models({k: v.double() for k, v in weights.items()}, {k: (a.double(), b.double()) for k, (a, b) in peft_t.items()})
    names, pixels = load_images()
    x32 = normalise(pixels)
    x = x32.double()
    results = {}
    for key, model in models.items():
        label = LABELS[key]
        logits, grad, gxi = gradients(model, x, label)
        grid, up, entropy = rollout(model, x)
        print(f'{key}: logits {logits.tolist()}, last-block attention entropy {entropy:.3f} of uniform, '
              f'rollout range {float(grid.min()):.4f}..{float(grid.max()):.4f}')
        results[key] = {'label': label, 'logits': tensor_json(logits), 'inputGradient': quantised_json(grad),
                        'rolloutGrid': tensor_json(grid)}
        # The channel reduction and the upsampling do not depend on the adapter: stored once, for the plain model.
        if key == 'plain':
            results[key].update({'gradTimesInput': quantised_json(gxi), 'rolloutMap': quantised_json(up)})
    smooth, sigma = smooth_grad(models['lora'], x32, LABELS['lora'])
    out = {
        'source': 'scripts/golden_saliency.py',
        'versions': {'torch': torch.__version__, 'timm': __import__('timm').__version__, 'peft': __import__('peft').__version__},
        'config': CONFIG,
        'weightSeed': WEIGHT_SEED,
        'weightChecks': weight_checks(weights),
        'lora': LORA,
        'loraTensors': {k: tensor_json(v) for k, v in lab_lora.items()},
        'normalisation': MRM,
        'images': {'files': names, 'source': SOURCES, 'shape': list(pixels.shape),
                   'pixels': [int(v) for v in pixels.reshape(-1)]},
        'results': results,
        'smoothGrad': {**SMOOTH, 'model': 'lora', 'label': LABELS['lora'], 'sigma': sigma,
                       'map': quantised_json(smooth)},
    }
    size = write_json(os.path.join(GOLDEN_DIR, 'saliency.json'), out)
    print(f'wrote saliency.json ({size} bytes)')


if __name__ == '__main__':
    main()
