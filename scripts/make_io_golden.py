#!/usr/bin/python3
"""Golden fixtures for the lab's checkpoint / PEFT IO (tests/io), made with Debian's PyTorch.

Run:  /usr/bin/python3 scripts/make_io_golden.py      (writes tests/fixtures/io/, < 2 MB, deterministic)

What it writes and why:
- A small ViT in plain torch whose attribute names are exactly timm's (timm is not installed here), saved
  three ways: safetensors (F32, plus F16 and BF16 copies for the dtype readers), `torch.save({"model": sd})`
  as MAE / MRM save theirs, and a DataParallel-style `module.`-prefixed copy carrying decoder keys to ignore.
- Its logits on fixed inputs (the lab must reproduce them within 1e-5 relative).
- pos_embed resampled to another grid the way MAE's `interpolate_pos_embed` does it (torch bicubic,
  align_corners=False, no antialias), for the lab's resampler.
- A LoRA adapter on q and v of the fused qkv (alpha != r), written in HF PEFT's on-disk format with the lab's
  documented q|k|v -> rank-2r mapping, and the logits of the model with the adapter merged by PEFT's rule
  W' = W + scaling * B @ A (peft itself is not installable here; rule from peft/tuners/lora/layer.py
  `get_delta_weight`).

The module also serves scripts/pretrain_mae.py (TimmVit, write_safetensors).
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The lab's "Not for medical use" sentence (src/run/notice.ts NOT_FOR_MEDICAL_USE), written into the adapter's config and
# weights metadata as the lab writes it; the byte-exact test in tests/io/peft.test.ts fails if the two differ.
NOT_FOR_MEDICAL_USE = ('Not for medical use: CXR PEFT Lab is a research and teaching tool; its models and results must '
                       'not be used to diagnose, screen or treat anyone.')

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'io')


# ---------------------------------------------------------------- model with timm's names

class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.grid = img_size // patch_size
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, D]


class Attention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)  # rows q | k | v
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, heads, N, headDim]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()  # exact erf GELU, as timm
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimmVit(nn.Module):
    """timm VisionTransformer(global_pool='avg', fc_norm=True, qkv_bias=True): no final `norm`."""

    def __init__(self, img_size, patch_size, in_chans, embed_dim, depth, num_heads, mlp_ratio=4.0,
                 num_classes=0, eps=1e-6):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        n = self.patch_embed.grid ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, embed_dim))
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio, eps) for _ in range(depth)])
        self.fc_norm = nn.LayerNorm(embed_dim, eps=eps)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()

    def tokens(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return x  # [B, N+1, D]

    def forward(self, x):
        pooled = self.tokens(x)[:, 1:].mean(dim=1)  # average over patch tokens, CLS excluded
        return self.head(self.fc_norm(pooled))


# ---------------------------------------------------------------- safetensors, written by hand

_DTYPE_NAME = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def safetensors_bytes(tensors, metadata=None):
    """Serialise {name: tensor} as safetensors (github.com/huggingface/safetensors, README "Format").

    Layout: u64 little-endian header size, a JSON header, then raw little-endian tensor bytes. Conventions
    fixed here and mirrored by src/formats/safetensors.ts so both writers give identical bytes: `__metadata__`
    first, tensors sorted by name (data in the same order), compact JSON, header padded with spaces to a
    multiple of 8 bytes (as the Rust implementation pads).
    """
    header = {}
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype('<i2').tobytes()
        else:
            raw = t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': _DTYPE_NAME[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(chunks)


def write_safetensors(path, tensors, metadata=None):
    with open(path, 'wb') as f:
        f.write(safetensors_bytes(tensors, metadata))


def read_safetensors(path):
    """Minimal reader (F32 only) used to merge the adapter from the very files the lab must reproduce."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        assert e['dtype'] == 'F32', e
        b, end = e['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + end], dtype='<f4').copy()).reshape(e['shape'])
    return out, meta


# ---------------------------------------------------------------- golden model and files

CFG = dict(img_size=32, patch_size=8, in_chans=3, embed_dim=32, depth=2, num_heads=2, mlp_ratio=4.0, num_classes=3)
LAB_CFG = {'imgSize': 32, 'patchSize': 8, 'inChans': 3, 'embedDim': 32, 'depth': 2, 'numHeads': 2, 'mlpRatio': 4,
           'numClasses': 3, 'layerNormEps': 1e-6}
QKV = ['q', 'k', 'v']


def build_model(seed=0):
    torch.manual_seed(seed)
    model = TimmVit(**CFG).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'fc_norm.weight':
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith('.bias'):
                p.copy_(0.05 * torch.randn_like(p))
            else:  # weights, cls_token, pos_embed: large enough that every layer matters
                p.copy_(torch.randn_like(p) * (0.3 if name.startswith('head') else 0.1))
    return model


def lab_lora(model, r, alpha, parts, seed, use_rslora=False):
    """An adapter in the lab's terms: per-part A [r, D] / B [D, r] on each block's qkv, plus new fc_norm / head."""
    g = torch.Generator().manual_seed(seed)
    d = CFG['embed_dim']
    tensors = {}
    for i in range(CFG['depth']):
        for part in parts:
            tensors[f'blocks.{i}.attn.qkv.lora_A.{part}'] = torch.randn(r, d, generator=g) * 0.2
            tensors[f'blocks.{i}.attn.qkv.lora_B.{part}'] = torch.randn(d, r, generator=g) * 0.2
    tensors['fc_norm.weight'] = 1 + 0.1 * torch.randn(d, generator=g)
    tensors['fc_norm.bias'] = 0.05 * torch.randn(d, generator=g)
    tensors['head.weight'] = 0.3 * torch.randn(CFG['num_classes'], d, generator=g)
    tensors['head.bias'] = 0.05 * torch.randn(CFG['num_classes'], generator=g)
    config = {'r': r, 'lora_alpha': alpha, 'lora_dropout': 0.1, 'use_rslora': use_rslora,
              'targets': {'qkv': parts, 'proj': False, 'fc1': False, 'fc2': False}}
    return tensors, config


def to_peft(lab_tensors, config, base_name):
    """The lab -> PEFT mapping of src/io/peftMapping.ts, written independently: A = [A_p; ...], B block matrix."""
    d, r = CFG['embed_dim'], config['r']
    parts = [p for p in QKV if p in config['targets']['qkv']]
    m = len(parts)
    tensors = {}
    for i in range(CFG['depth']):
        a = torch.cat([lab_tensors[f'blocks.{i}.attn.qkv.lora_A.{p}'] for p in parts], dim=0)  # [m r, D]
        b = torch.zeros(3 * d, m * r)
        for j, p in enumerate(parts):
            row = QKV.index(p) * d
            b[row:row + d, j * r:(j + 1) * r] = lab_tensors[f'blocks.{i}.attn.qkv.lora_B.{p}']
        tensors[f'base_model.model.blocks.{i}.attn.qkv.lora_A.weight'] = a
        tensors[f'base_model.model.blocks.{i}.attn.qkv.lora_B.weight'] = b
    for name in ['fc_norm.weight', 'fc_norm.bias', 'head.weight', 'head.bias']:
        tensors[f'base_model.model.{name}'] = lab_tensors[name]
    alpha = math.sqrt(m) * config['lora_alpha'] if config['use_rslora'] else m * config['lora_alpha']
    peft_config = {
        'alpha_pattern': {}, 'base_model_name_or_path': base_name, 'bias': 'none', 'fan_in_fan_out': False,
        'inference_mode': True, 'init_lora_weights': True, 'layers_pattern': None, 'layers_to_transform': None,
        'lora_alpha': alpha, 'lora_dropout': config['lora_dropout'], 'modules_to_save': ['fc_norm', 'head'],
        'notice': NOT_FOR_MEDICAL_USE, 'peft_type': 'LORA', 'r': m * r, 'rank_pattern': {}, 'revision': None,
        'target_modules': sorted(f'blocks.{i}.attn.qkv' for i in range(CFG['depth'])), 'task_type': None,
        'use_dora': False, 'use_rslora': config['use_rslora'],
    }
    meta = {'format': 'pt', 'lab_lora_alpha': str(config['lora_alpha']), 'lab_qkv_parts': ','.join(parts),
            'lab_r': str(r), 'notice': NOT_FOR_MEDICAL_USE}
    return tensors, peft_config, meta


def write_peft(folder, tensors, peft_config, meta):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'adapter_config.json'), 'w') as f:
        f.write(json.dumps(peft_config, indent=2, sort_keys=True))  # as PEFT's save_pretrained
    write_safetensors(os.path.join(folder, 'adapter_model.safetensors'), tensors, meta)


def merge_peft_folder(base_model, folder):
    """PEFT's merge, from the files: W' = W + scaling B A per target (scaling = alpha/r, rsLoRA alpha/sqrt r);
    modules_to_save tensors replace the model's. peft/tuners/lora/layer.py get_delta_weight / merge."""
    with open(os.path.join(folder, 'adapter_config.json')) as f:
        cfg = json.load(f)
    tensors, _ = read_safetensors(os.path.join(folder, 'adapter_model.safetensors'))
    model = build_model()
    model.load_state_dict(base_model.state_dict())
    sd = model.state_dict()
    for module in cfg['target_modules']:
        a = tensors[f'base_model.model.{module}.lora_A.weight']
        b = tensors[f'base_model.model.{module}.lora_B.weight']
        r = a.shape[0]
        scaling = cfg['lora_alpha'] / (math.sqrt(r) if cfg['use_rslora'] else r)
        sd[f'{module}.weight'] = sd[f'{module}.weight'] + scaling * (b @ a)
    for module in cfg['modules_to_save']:
        for leaf in ['weight', 'bias']:
            sd[f'{module}.{leaf}'] = tensors[f'base_model.model.{module}.{leaf}']
    model.load_state_dict(sd)
    return model


def merge_lab(base_model, lab_tensors, config):
    """The lab's own rule, for a cross-check: each part's scaling * B_p A_p added to its rows of qkv."""
    r = config['r']
    scaling = config['lora_alpha'] / (math.sqrt(r) if config['use_rslora'] else r)
    model = build_model()
    model.load_state_dict(base_model.state_dict())
    sd = model.state_dict()
    d = CFG['embed_dim']
    for i in range(CFG['depth']):
        w = sd[f'blocks.{i}.attn.qkv.weight'].clone()
        for p in config['targets']['qkv']:
            row = QKV.index(p) * d
            delta = lab_tensors[f'blocks.{i}.attn.qkv.lora_B.{p}'] @ lab_tensors[f'blocks.{i}.attn.qkv.lora_A.{p}']
            w[row:row + d] += scaling * delta
        sd[f'blocks.{i}.attn.qkv.weight'] = w
    for name in ['fc_norm.weight', 'fc_norm.bias', 'head.weight', 'head.bias']:
        sd[name] = lab_tensors[name]
    model.load_state_dict(sd)
    return model


def resample_pos_embed(pos, new_grid):
    """MAE util/pos_embed.py interpolate_pos_embed: CLS kept, grid bicubic, align_corners=False, no antialias."""
    d = pos.shape[-1]
    old = int(round((pos.shape[1] - 1) ** 0.5))
    grid = pos[:, 1:].reshape(1, old, old, d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_grid, new_grid), mode='bicubic', align_corners=False)
    return torch.cat([pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, new_grid * new_grid, d)], dim=1)


def dtype_probe():
    """Edge values for the F16 / BF16 decoders: zero, -0, subnormals, max, inf, NaN, ordinary numbers."""
    values = torch.tensor([0.0, -0.0, 1.0, -2.5, 6.1e-5, 5.96e-8, 3.0e-7, 65504.0, float('inf'), float('-inf'),
                           0.1, -1234.5678, 1e-40, 3.0e38])
    half, bf16 = values.half(), values.bfloat16()
    return {'probe_f16': half, 'probe_bf16': bf16}, {
        'probe_f16': [repr(float(v)) for v in half.float()],
        'probe_bf16': [repr(float(v)) for v in bf16.float()],
    }


def main():
    torch.set_num_threads(1)
    out = os.path.abspath(FIXTURE_DIR)
    os.makedirs(out, exist_ok=True)
    model = build_model()
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(7)
    inputs = torch.randn(4, 3, 32, 32, generator=g)
    inputs48 = torch.randn(2, 3, 48, 48, generator=g)
    meta = {'vitConfig': json.dumps({k: v for k, v in LAB_CFG.items() if k != 'numClasses'})}

    # Base checkpoint, four ways.
    write_safetensors(os.path.join(out, 'vit_small.safetensors'), sd, meta)
    write_safetensors(os.path.join(out, 'vit_small_bf16.safetensors'), {k: v.bfloat16() for k, v in sd.items()})
    torch.save({'model': sd, 'epoch': 3, 'args': argparse.Namespace(model='vit_small', lr=1e-3)},
               os.path.join(out, 'vit_small.pth'))
    prefixed = {f'module.{k}': v for k, v in sd.items()}
    w = sd['blocks.0.mlp.fc2.weight']
    prefixed['module.blocks.0.mlp.fc2.weight'] = w.t().contiguous().t()  # same values, column-major strides
    assert not prefixed['module.blocks.0.mlp.fc2.weight'].is_contiguous()
    prefixed['module.decoder_embed.weight'] = torch.randn(16, 32, generator=g)
    prefixed['module.mask_token'] = torch.zeros(1, 1, 16)
    prefixed['module.norm.weight'] = torch.ones(32)
    prefixed['module.norm.bias'] = torch.zeros(32)
    torch.save(prefixed, os.path.join(out, 'vit_small_module_prefix.pth'))
    torch.save({'model': {k: v.half() for k, v in sd.items()}}, os.path.join(out, 'vit_small_half.pth'))
    probe, probe_expected = dtype_probe()
    write_safetensors(os.path.join(out, 'dtype_probe.safetensors'), probe)

    # pos_embed resampled up (4x4 -> 6x6) and down (4x4 -> 3x3), and the model run at 48 px.
    pos6 = resample_pos_embed(sd['pos_embed'], 6)
    pos3 = resample_pos_embed(sd['pos_embed'], 3)
    model48 = TimmVit(**{**CFG, 'img_size': 48}).eval()
    model48.load_state_dict({**sd, 'pos_embed': pos6})

    # LoRA adapters: the study's q,v (alpha != r), an rsLoRA variant, and a dense "PEFT-trained" one.
    lab_t, lab_cfg = lab_lora(model, 4, 12, ['q', 'v'], seed=11)
    write_safetensors(os.path.join(out, 'lab_lora.safetensors'), lab_t)
    peft_t, peft_cfg, peft_meta = to_peft(lab_t, lab_cfg, 'golden/vit_small')
    write_peft(os.path.join(out, 'peft_adapter'), peft_t, peft_cfg, peft_meta)
    rs_t, rs_cfg = lab_lora(model, 2, 5, ['q', 'v'], seed=12, use_rslora=True)
    rs_peft_t, rs_peft_cfg, rs_meta = to_peft(rs_t, rs_cfg, 'golden/vit_small')
    write_peft(os.path.join(out, 'peft_rslora'), rs_peft_t, rs_peft_cfg, rs_meta)
    dense = {k: v for k, v in peft_t.items() if 'lora_' not in k}
    for i in range(CFG['depth']):
        b = torch.randn(96, 6, generator=g) * 0.2
        b[32:64] = 0  # K rows untouched, so a q,v model can take it
        dense[f'base_model.model.blocks.{i}.attn.qkv.lora_A.weight'] = torch.randn(6, 32, generator=g) * 0.2
        dense[f'base_model.model.blocks.{i}.attn.qkv.lora_B.weight'] = b
    write_peft(os.path.join(out, 'peft_dense'), dense, {**peft_cfg, 'r': 6, 'lora_alpha': 9}, {'format': 'pt'})
    k_touched = dict(dense)
    k_touched['base_model.model.blocks.1.attn.qkv.lora_B.weight'] = torch.randn(96, 6, generator=g)
    write_peft(os.path.join(out, 'peft_k_rows'), k_touched, {**peft_cfg, 'r': 6, 'lora_alpha': 9}, {'format': 'pt'})

    with torch.no_grad():
        merged = merge_peft_folder(model, os.path.join(out, 'peft_adapter'))
        lab_merged = merge_lab(model, lab_t, lab_cfg)
        assert torch.allclose(merged(inputs), lab_merged(inputs), rtol=1e-5, atol=1e-5), 'PEFT mapping is not exact'
        rs_merged = merge_peft_folder(model, os.path.join(out, 'peft_rslora'))
        assert torch.allclose(rs_merged(inputs), merge_lab(model, rs_t, rs_cfg)(inputs), rtol=1e-5, atol=1e-5)
        golden = {
            'config': LAB_CFG,
            'loraConfig': lab_cfg,
            'rsLoraConfig': rs_cfg,
            'logits': model(inputs).tolist(),
            'logits48': model48(inputs48).tolist(),
            'logitsPeftMerged': merged(inputs).tolist(),
            'logitsRsLoraMerged': rs_merged(inputs).tolist(),
            'logitsDenseMerged': merge_peft_folder(model, os.path.join(out, 'peft_dense'))(inputs).tolist(),
            'dtypeProbe': probe_expected,
            'torch': torch.__version__,
        }
    write_safetensors(os.path.join(out, 'inputs.safetensors'),
                      {'inputs': inputs, 'inputs48': inputs48, 'pos_embed_6': pos6, 'pos_embed_3': pos3})
    with open(os.path.join(out, 'golden.json'), 'w') as f:
        json.dump(golden, f)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(out) for fn in fns)
    print(f'wrote {out} ({total / 1e6:.2f} MB)')


if __name__ == '__main__':
    main()
