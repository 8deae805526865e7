#!/usr/bin/python3
"""Pretrain the lab's 'tiny' ViT by masked autoencoding (MAE, He et al. 2022) on real chest radiographs, no labels.

Run (took 704 s here: 2 cores shared with other jobs, 0.2-0.6 s per step):
  nice -n 10 /usr/bin/python3 scripts/pretrain_mae.py
Writes public/models/demo-mae-tiny.safetensors (encoder only, timm names, no decoder / mask_token / norm) and
public/models/demo-mae-tiny.training.json (loss curve, timings, the exact command). docs/model-card.md reports them.

Data: nih1000-64px (745 NIH ChestX-ray14 images, 64 px) + nih-sample (212 NIH images, 1024 px resized to 64 px)
from ../shared/data (beside the repository). The Kermany pneumonia set is NOT used: it is the demo dataset, whose held-out split
must stay unseen by the backbone. Labels are never read.

Architecture: exactly src/run/vitConfig.ts VIT_PRESETS.tiny (64 px, patch 16, dim 64, depth 2, heads 2, MLP 4,
qkv bias, LayerNorm eps 1e-6), grayscale replicated to 3 channels, normalised with NORMALISATION.mae.
The recipe follows facebookresearch/mae (models_mae.py, main_pretrain.py): 75 % random masking, fixed 2-D
sin-cos position embeddings, a light transformer decoder, MSE on masked patches against per-patch normalised
pixels (norm_pix_loss), AdamW betas (0.9, 0.95) wd 0.05, linear warm-up then half-cycle cosine.
"""
import argparse
import glob
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_io_golden import Block, TimmVit, write_safetensors  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
TINY = dict(img_size=64, patch_size=16, in_chans=3, embed_dim=64, depth=2, num_heads=2, mlp_ratio=4.0, eps=1e-6)
MAE_MEAN, MAE_STD = 0.4785, 0.2834  # src/run/vitConfig.ts NORMALISATION.mae


def load_images(data_root, size):
    """All pretraining images as uint8 [N, size, size] grayscale, in a fixed (sorted) order."""
    paths = sorted(glob.glob(os.path.join(data_root, 'nih1000-64px', 'NIH1000', '**', '*.png'), recursive=True))
    paths += sorted(glob.glob(os.path.join(data_root, 'nih-sample', 'images', '*.png')))
    images = []
    for p in paths:
        img = Image.open(p).convert('L')  # 20 nih1000 files are RGBA, the rest RGB or L
        if img.size != (size, size):
            img = img.resize((size, size), Image.BOX)  # area average, no aliasing from 1024 px
        images.append(np.asarray(img, dtype=np.uint8))
    return np.stack(images), paths


def sincos_pos_embed(dim, grid):
    """2-D sin-cos position embedding with a zero CLS row (mae/util/pos_embed.py get_2d_sincos_pos_embed)."""
    def one_axis(d, pos):
        omega = 1.0 / 10000 ** (np.arange(d // 2, dtype=np.float64) / (d / 2.0))
        out = np.einsum('m,d->md', pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)
    gw, gh = np.meshgrid(np.arange(grid, dtype=np.float64), np.arange(grid, dtype=np.float64))
    emb = np.concatenate([one_axis(dim // 2, gh), one_axis(dim // 2, gw)], axis=1)
    return torch.from_numpy(np.concatenate([np.zeros([1, dim]), emb], axis=0)).float().unsqueeze(0)


class MaskedAutoencoder(nn.Module):
    def __init__(self, decoder_dim=64, decoder_depth=2, decoder_heads=2):
        super().__init__()
        self.encoder = TimmVit(num_classes=0, **TINY)
        d, p, grid = TINY['embed_dim'], TINY['patch_size'], TINY['img_size'] // TINY['patch_size']
        self.norm = nn.LayerNorm(d, eps=1e-6)  # MAE's encoder norm; dropped at export (fine-tuning uses fc_norm)
        self.decoder_embed = nn.Linear(d, decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dim))
        self.decoder_blocks = nn.ModuleList([Block(decoder_dim, decoder_heads, 4.0, 1e-6) for _ in range(decoder_depth)])
        self.decoder_norm = nn.LayerNorm(decoder_dim, eps=1e-6)
        self.decoder_pred = nn.Linear(decoder_dim, p * p * TINY['in_chans'])
        # Fixed (not learned) sin-cos embeddings, as MAE pretraining.
        self.encoder.pos_embed.requires_grad_(False)
        self.encoder.pos_embed.data.copy_(sincos_pos_embed(d, grid))
        self.register_buffer('decoder_pos_embed', sincos_pos_embed(decoder_dim, grid))
        self._init_weights()

    def _init_weights(self):
        w = self.encoder.patch_embed.proj.weight.data
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.normal_(self.encoder.cls_token, std=0.02)
        nn.init.normal_(self.mask_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    @staticmethod
    def patchify(imgs, p):
        b, c, h, w = imgs.shape
        x = imgs.reshape(b, c, h // p, p, w // p, p)
        return torch.einsum('nchpwq->nhwpqc', x).reshape(b, (h // p) * (w // p), p * p * c)  # [B, L, p*p*C]

    def forward(self, imgs, mask_ratio, generator=None):
        enc = self.encoder
        x = enc.patch_embed(imgs) + enc.pos_embed[:, 1:]  # [B, L, D]
        b, length, d = x.shape
        keep = int(length * (1 - mask_ratio))
        noise = torch.rand(b, length, generator=generator)
        shuffle = noise.argsort(dim=1)
        restore = shuffle.argsort(dim=1)
        kept = shuffle[:, :keep]
        x = torch.gather(x, 1, kept.unsqueeze(-1).expand(-1, -1, d))  # [B, keep, D]
        mask = torch.ones(b, length)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, restore)  # 1 = masked, in patch order
        cls = (enc.cls_token + enc.pos_embed[:, :1]).expand(b, -1, -1)
        x = torch.cat([cls, x], dim=1)
        for blk in enc.blocks:
            x = blk(x)
        x = self.decoder_embed(self.norm(x))
        tokens = torch.cat([x[:, 1:], self.mask_token.expand(b, length - keep, -1)], dim=1)
        tokens = torch.gather(tokens, 1, restore.unsqueeze(-1).expand(-1, -1, x.shape[2]))
        x = torch.cat([x[:, :1], tokens], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        pred = self.decoder_pred(self.decoder_norm(x))[:, 1:]  # [B, L, p*p*C]
        target = self.patchify(imgs, TINY['patch_size'])
        mean, var = target.mean(dim=-1, keepdim=True), target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5  # norm_pix_loss
        per_patch = ((pred - target) ** 2).mean(dim=-1)
        return (per_patch * mask).sum() / mask.sum()


def augment(batch_u8, generator, size, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3)):
    """RandomResizedCrop + horizontal flip on a uint8 batch, vectorised with an affine grid (bilinear)."""
    b = batch_u8.shape[0]
    x = batch_u8.float().div(255.0).unsqueeze(1)  # [B, 1, H, W]
    area = torch.empty(b).uniform_(scale[0], scale[1], generator=generator)
    log_r = torch.empty(b).uniform_(math.log(ratio[0]), math.log(ratio[1]), generator=generator)
    aspect = torch.exp(log_r)
    sw = torch.sqrt(area * aspect).clamp(max=1.0)  # crop width / full width
    sh = torch.sqrt(area / aspect).clamp(max=1.0)
    cx = (torch.rand(b, generator=generator) * 2 - 1) * (1 - sw)
    cy = (torch.rand(b, generator=generator) * 2 - 1) * (1 - sh)
    flip = torch.where(torch.rand(b, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = sw * flip, cx
    theta[:, 1, 1], theta[:, 1, 2] = sh, cy
    grid = F.affine_grid(theta, [b, 1, size, size], align_corners=False)
    out = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)
    return normalise(out)


def normalise(x01):
    return ((x01 - MAE_MEAN) / MAE_STD).expand(-1, 3, -1, -1).contiguous()  # grayscale -> 3 channels


def lr_at(step, total, warmup, peak, floor=1e-6):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=str(Path(__file__).resolve().parents[1].parent / 'shared' / 'data'))
    ap.add_argument('--steps', type=int, default=2000)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--log-every', type=int, default=100)
    ap.add_argument('--holdout', type=int, default=64, help='images kept out of training to watch the loss')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--max-minutes', type=float, default=35.0,
                    help='safety stop on a busy machine: the encoder so far is saved and the log says so')
    ap.add_argument('--out', default=os.path.join(ROOT, 'public', 'models', 'demo-mae-tiny'))
    args = ap.parse_args()
    torch.set_num_threads(1)  # the machine is shared
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    images, paths = load_images(args.data, TINY['img_size'])
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(1234)).numpy()
    hold_idx, train_idx = order[:args.holdout], order[args.holdout:]
    train = torch.from_numpy(images[train_idx])
    hold = normalise(torch.from_numpy(images[hold_idx]).float().div(255.0).unsqueeze(1))
    print(f'{len(images)} images ({len(train)} train, {len(hold)} held out)', flush=True)

    model = MaskedAutoencoder()
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim > 1 and 'token' not in n]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim <= 1 or 'token' in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    curve, window, start = [], [], time.time()
    stopped_early_at = None
    for step in range(args.steps):
        if time.time() - start > args.max_minutes * 60:
            stopped_early_at = step
            print(f'time budget reached: stopping at step {step} of {args.steps}', flush=True)
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(step, args.steps, args.warmup, args.lr)
        idx = torch.randint(0, len(train), (args.batch,), generator=gen)
        loss = model(augment(train[idx], gen, TINY['img_size']), 0.75, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        window.append(loss.item())
        if (step + 1) % args.log_every == 0 or step == 0:
            model.eval()
            with torch.no_grad():  # same masks every time so held-out numbers are comparable
                hold_loss = model(hold, 0.75, torch.Generator().manual_seed(99)).item()
            model.train()
            row = {'step': step + 1, 'trainLoss': float(np.mean(window)), 'heldOutLoss': hold_loss,
                   'lr': opt.param_groups[0]['lr'], 'seconds': round(time.time() - start, 1)}
            curve.append(row)
            window = []
            print(json.dumps(row), flush=True)

    # Encoder only: the (untrained) fc_norm of TimmVit belongs to fine-tuning, not to the backbone.
    tensors = {k: v for k, v in model.encoder.state_dict().items() if not k.startswith('fc_norm.')}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    vit_config = {'imgSize': 64, 'patchSize': 16, 'inChans': 3, 'embedDim': 64, 'depth': 2, 'numHeads': 2,
                  'mlpRatio': 4, 'layerNormEps': 1e-6}
    meta = {'format': 'pt', 'vitConfig': json.dumps(vit_config), 'normalisation': json.dumps({'mean': MAE_MEAN, 'std': MAE_STD}),
            'pretraining': 'MAE, 75% masking, norm_pix_loss; NIH ChestX-ray14 images (nih1000-64px + nih-sample), no labels',
            'steps': str(stopped_early_at or args.steps)}
    write_safetensors(args.out + '.safetensors', tensors, meta)
    log = {'command': ' '.join(['/usr/bin/python3'] + sys.argv), 'args': vars(args), 'images': len(images),
           'trainImages': len(train), 'heldOutImages': len(hold), 'torch': torch.__version__,
           'wallSeconds': round(time.time() - start, 1), 'stoppedEarlyAtStep': stopped_early_at, 'curve': curve,
           'sources': sorted({os.path.relpath(p, args.data).split(os.sep)[0] for p in paths})}
    with open(args.out + '.training.json', 'w') as f:
        json.dump(log, f, indent=1)
    print('wrote', args.out + '.safetensors', flush=True)


if __name__ == '__main__':
    main()
