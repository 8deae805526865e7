"""A plain-PyTorch ViT with timm's module names and LoRA adapters, the reference for the lab's numerics goldens.

Written from the papers and the public descriptions of the layouts, not from the lab's TypeScript:
- ViT (Dosovitskiy et al. 2021) as timm's `VisionTransformer` lays it out: `patch_embed.proj` (Conv2d, stride =
  patch), `cls_token`, `pos_embed` (added after the CLS token is prepended), pre-norm blocks with `norm1`,
  fused `attn.qkv` (with bias, output ordered q | k | v), `attn.proj`, `norm2`, `mlp.fc1` -> exact erf GELU ->
  `mlp.fc2`; LayerNorm eps 1e-6; MAE/MRM fine-tuning head: mean over patch tokens (CLS excluded) -> `fc_norm`
  -> `head`, no final `norm`.
- LoRA on the fused qkv as microsoft/LoRA's `MergedLinear` computes it: one `lora_A` of shape
  [r * parts, in] and one `lora_B` of shape [out/3 * parts, r]; the adapter output is a grouped 1x1 conv of
  `lora_A x` with `lora_B` (groups = number of adapted parts), zero-padded into the adapted thirds of the output,
  times scaling = lora_alpha / r. Unfused targets (proj, fc1, fc2) use HF PEFT's Linear rule
  base(x) + scaling * B(A(x)). rsLoRA (Kalajdzievski 2023): scaling = lora_alpha / sqrt(r).
Dropout (LoRA and drop-path) is left out: the goldens are deterministic forward/backward passes.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

PARTS = ('q', 'k', 'v')


def lora_scaling(r, alpha, use_rslora):
    return alpha / math.sqrt(r) if use_rslora else alpha / r


class MergedLoraQkv(nn.Linear):
    """nn.Linear(dim, 3 dim) plus a MergedLinear-style adapter on the parts listed in `parts` (subset of q, k, v)."""

    def __init__(self, dim, parts, r, scaling):
        super().__init__(dim, 3 * dim, bias=True)
        self.dim = dim
        self.parts = [p for p in PARTS if p in parts]
        self.r = r
        self.scaling = scaling
        if self.parts:
            self.lora_A = nn.Parameter(torch.zeros(r * len(self.parts), dim))
            self.lora_B = nn.Parameter(torch.zeros(dim * len(self.parts), r))

    def _zero_pad(self, adapted):
        # adapted: [..., dim * len(parts)] -> [..., 3 dim] with the adapted thirds filled
        out = adapted.new_zeros(*adapted.shape[:-1], 3 * self.dim)
        for k, part in enumerate(self.parts):
            j = PARTS.index(part)
            out[..., j * self.dim:(j + 1) * self.dim] = adapted[..., k * self.dim:(k + 1) * self.dim]
        return out

    def delta_weight(self):
        """scaling * B A per part, placed in its rows: [3 dim, dim] (what merging adds to the weight)."""
        if not self.parts:
            return torch.zeros_like(self.weight)
        blocks = F.conv1d(self.lora_A.unsqueeze(0), self.lora_B.unsqueeze(-1), groups=len(self.parts)).squeeze(0)
        return self._zero_pad(blocks.T).T * self.scaling

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if not self.parts:
            return y
        after_a = F.linear(x, self.lora_A)  # [B, N, r * parts]
        after_b = F.conv1d(after_a.transpose(-2, -1), self.lora_B.unsqueeze(-1), groups=len(self.parts)).transpose(-2, -1)
        return y + self._zero_pad(after_b) * self.scaling

    def split_lora(self):
        """Per-part tensors under the lab's names: lora_A.<part> [r, dim], lora_B.<part> [dim, r]."""
        out = {}
        for k, part in enumerate(self.parts):
            out[f'lora_A.{part}'] = self.lora_A[k * self.r:(k + 1) * self.r]
            out[f'lora_B.{part}'] = self.lora_B[k * self.dim:(k + 1) * self.dim]
        return out


class LoraLinear(nn.Linear):
    """HF PEFT's LoRA Linear: base(x) + scaling * B(A(x)); a plain Linear when r == 0."""

    def __init__(self, fan_in, fan_out, r, scaling):
        super().__init__(fan_in, fan_out, bias=True)
        self.r = r
        self.scaling = scaling
        if r > 0:
            self.lora_A = nn.Parameter(torch.zeros(r, fan_in))
            self.lora_B = nn.Parameter(torch.zeros(fan_out, r))

    def delta_weight(self):
        return self.lora_B @ self.lora_A * self.scaling

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.r == 0:
            return y
        return y + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling

    def split_lora(self):
        return {'lora_A': self.lora_A, 'lora_B': self.lora_B} if self.r > 0 else {}


class PatchEmbed(nn.Module):
    def __init__(self, patch, in_chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, D], patches row-major


class Attention(nn.Module):
    def __init__(self, dim, heads, lora):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = MergedLoraQkv(dim, lora['qkv'], lora['r'], lora['scaling'])
        self.proj = LoraLinear(dim, dim, lora['r'] if lora['proj'] else 0, lora['scaling'])

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)  # [B, H, N, hd]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, lora):
        super().__init__()
        self.fc1 = LoraLinear(dim, hidden, lora['r'] if lora['fc1'] else 0, lora['scaling'])
        self.act = nn.GELU()  # exact erf form (approximate='none' is the default)
        self.fc2 = LoraLinear(hidden, dim, lora['r'] if lora['fc2'] else 0, lora['scaling'])

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, eps, lora):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads, lora)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, dim * mlp_ratio, lora)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


NO_LORA = {'qkv': [], 'proj': False, 'fc1': False, 'fc2': False, 'r': 0, 'scaling': 0.0}


class Vit(nn.Module):
    def __init__(self, cfg, lora=None):
        super().__init__()
        lora = lora or NO_LORA
        d = cfg['embedDim']
        n = (cfg['imgSize'] // cfg['patchSize']) ** 2
        self.in_chans = cfg['inChans']
        self.patch_embed = PatchEmbed(cfg['patchSize'], cfg['inChans'], d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d))
        self.blocks = nn.ModuleList(
            [Block(d, cfg['numHeads'], cfg['mlpRatio'], cfg['layerNormEps'], lora) for _ in range(cfg['depth'])])
        self.fc_norm = nn.LayerNorm(d, eps=cfg['layerNormEps'])
        self.head = nn.Linear(d, cfg['numClasses'])

    def forward(self, x):
        if x.shape[1] == 1 and self.in_chans > 1:
            x = x.expand(-1, self.in_chans, -1, -1)  # grayscale replicated to the model's channels
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.fc_norm(x[:, 1:].mean(dim=1)))

    def base_state(self):
        """timm-named base parameters (no LoRA tensors)."""
        return {k: v for k, v in self.named_parameters() if 'lora_' not in k}

    def lora_state(self):
        """LoRA tensors under the lab's names: <module>.lora_A[.part], <module>.lora_B[.part]."""
        out = {}
        for name, mod in self.named_modules():
            if isinstance(mod, (MergedLoraQkv, LoraLinear)):
                for k, t in mod.split_lora().items():
                    out[f'{name}.{k}'] = t
        return out

    def set_lora(self, tensors):
        """Inverse of lora_state: copy per-part tensors into the MergedLinear / Linear parameters."""
        with torch.no_grad():
            for name, mod in self.named_modules():
                if isinstance(mod, MergedLoraQkv) and mod.parts:
                    mod.lora_A.copy_(torch.cat([tensors[f'{name}.lora_A.{p}'] for p in mod.parts], 0))
                    mod.lora_B.copy_(torch.cat([tensors[f'{name}.lora_B.{p}'] for p in mod.parts], 0))
                elif isinstance(mod, LoraLinear) and mod.r > 0:
                    mod.lora_A.copy_(tensors[f'{name}.lora_A'])
                    mod.lora_B.copy_(tensors[f'{name}.lora_B'])

    def lora_modules(self):
        return {name: mod for name, mod in self.named_modules()
                if (isinstance(mod, MergedLoraQkv) and mod.parts) or (isinstance(mod, LoraLinear) and mod.r > 0)}


def named_trainable(model, method):
    """name -> parameter that trains: lora = LoRA + fc_norm + head; fft = every base parameter; linear = fc_norm + head."""
    base = model.base_state()
    head_like = {k: v for k, v in base.items() if k.startswith('fc_norm.') or k.startswith('head.')}
    if method == 'fft':
        return dict(base)
    if method == 'linear':
        return head_like
    # LoRA tensors: the per-part views are not leaves, so train the MergedLinear parameters and split grads later.
    out = dict(head_like)
    for name, p in model.named_parameters():
        if 'lora_' in name:
            out[name] = p
    return out


def split_lora_grads(model, grads):
    """Gradients keyed by the fused MergedLinear names -> the lab's per-part names."""
    out = {}
    for name, g in grads.items():
        if '.lora_' not in name:
            out[name] = g
            continue
        module_name, which = name.rsplit('.', 1)  # e.g. blocks.0.attn.qkv, lora_A
        mod = model.get_submodule(module_name)
        if isinstance(mod, MergedLoraQkv):
            rows = mod.r if which == 'lora_A' else mod.dim
            for k, part in enumerate(mod.parts):
                out[f'{module_name}.{which}.{part}'] = g[k * rows:(k + 1) * rows]
        else:
            out[name] = g
    return out
