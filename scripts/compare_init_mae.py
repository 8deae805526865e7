#!/usr/bin/python3
"""LoRA on the MAE-pretrained demo backbone vs LoRA on a randomly initialised one, macro AUROC on a held-out split
of the demo data (public/demo: 250 NORMAL + 250 PNEUMONIA Kermany radiographs, never seen in pretraining).

Run:  nice -n 10 /usr/bin/python3 scripts/compare_init_mae.py            (121 s on 2 shared cores)
Writes public/models/demo-mae-tiny.comparison.json; docs/model-card.md reports it.

The recipe mirrors the lab's LoRA method (study.md): q and v of every block's fused qkv, r = 8, alpha = 32,
dropout 0.1, A Kaiming-uniform(a=sqrt 5), B zeros; trainable = LoRA + fc_norm + head (head trunc-normal 2e-5);
BCE-with-logits on the two class-folder labels (one-hot, as the lab's class-folder layout); AdamW
(betas 0.9/0.999, wd 0.05 on matrices), lr = 3e-3 x batch / 256 (MAE + LoRA base lr), 5 warm-up epochs then
half-cycle cosine. Split: seeded, stratified 60 / 20 / 20 train / val / test; the epoch with the best val macro
AUROC is scored on test (the study's model selection). Several seeds per arm; all numbers are reported.
This is PyTorch, not the lab's tfjs code: the same architecture and recipe, run where it is fast enough today.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_io_golden import TimmVit, read_safetensors, write_safetensors  # noqa: E402
from pretrain_mae import MAE_MEAN, MAE_STD, TINY, augment, normalise  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
LABELS = ['NORMAL', 'PNEUMONIA']


def load_demo(size):
    with open(os.path.join(ROOT, 'public', 'demo', 'manifest.json')) as f:
        files = json.load(f)['files']
    images, targets = [], []
    for rel in sorted(files):
        img = Image.open(os.path.join(ROOT, 'public', 'demo', rel)).convert('L').resize((size, size), Image.BOX)
        images.append(np.asarray(img, dtype=np.uint8))
        label = rel.split('/')[-2]
        targets.append([1.0 if label == name else 0.0 for name in LABELS])
    return torch.from_numpy(np.stack(images)), torch.tensor(targets)


def stratified_split(targets, seed, fractions=(0.6, 0.2, 0.2)):
    rng = np.random.default_rng(seed)
    parts = {'train': [], 'val': [], 'test': []}
    for cls in range(targets.shape[1]):
        idx = np.flatnonzero(targets[:, cls].numpy() == 1)
        rng.shuffle(idx)
        n_train, n_val = int(len(idx) * fractions[0]), int(len(idx) * fractions[1])
        parts['train'] += idx[:n_train].tolist()
        parts['val'] += idx[n_train:n_train + n_val].tolist()
        parts['test'] += idx[n_train + n_val:].tolist()
    return {k: torch.tensor(sorted(v)) for k, v in parts.items()}


class LoraQV(nn.Module):
    """y = qkv(x) + scaling * [B_q A_q x ; 0 ; B_v A_v x] (microsoft/LoRA MergedLinear, enable_lora=[T, F, T])."""

    def __init__(self, qkv, r, alpha, dropout, generator):
        super().__init__()
        self.base, d = qkv, qkv.in_features
        self.scaling, self.drop = alpha / r, nn.Dropout(dropout)
        bound = 1 / math.sqrt(d)  # kaiming_uniform_(a=sqrt(5)) on [r, d]
        self.a = nn.ParameterDict({p: nn.Parameter(torch.rand(r, d, generator=generator) * 2 * bound - bound) for p in 'qv'})
        self.b = nn.ParameterDict({p: nn.Parameter(torch.zeros(d, r)) for p in 'qv'})

    def forward(self, x):
        out = self.base(x)
        xd = self.drop(x)
        q = xd @ self.a['q'].t() @ self.b['q'].t() * self.scaling
        v = xd @ self.a['v'].t() @ self.b['v'].t() * self.scaling
        return out + torch.cat([q, torch.zeros_like(q), v], dim=-1)


def build(init, seed, pretrained_path):
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TimmVit(num_classes=len(LABELS), **TINY)
    with torch.no_grad():
        for name, p in model.named_parameters():  # timm-style random init (src/model/init.ts)
            if name.endswith('.bias'):
                p.zero_()
            elif 'norm' in name:
                p.fill_(1.0)
            else:
                nn.init.trunc_normal_(p, std=0.02)
        nn.init.trunc_normal_(model.head.weight, std=2e-5)
        if init == 'pretrained':
            tensors, _ = read_safetensors(pretrained_path)
            tensors = {k: v for k, v in tensors.items() if not k.startswith(('fc_norm.', 'head.'))}
            missing, unexpected = model.load_state_dict(tensors, strict=False)
            assert sorted(missing) == ['fc_norm.bias', 'fc_norm.weight', 'head.bias', 'head.weight'], missing
            assert not unexpected, unexpected
    for p in model.parameters():
        p.requires_grad_(False)
    for blk in model.blocks:
        blk.attn.qkv = LoraQV(blk.attn.qkv, 8, 32, 0.1, g)
    for p in list(model.fc_norm.parameters()) + list(model.head.parameters()):
        p.requires_grad_(True)
    return model


def macro_auroc(model, x, y):
    model.eval()
    with torch.no_grad():
        scores = torch.sigmoid(model(x)).numpy()
    model.train()
    return float(np.mean([roc_auc_score(y[:, k].numpy(), scores[:, k]) for k in range(y.shape[1])]))


def run(init, seed, images, targets, split, args):
    torch.set_num_threads(1)
    model = build(init, seed, args.pretrained)
    train_params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in train_params if p.ndim > 1]
    no_decay = [p for p in train_params if p.ndim <= 1]
    lr = 3e-3 * args.batch / 256
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}], lr=lr)
    gen = torch.Generator().manual_seed(seed + 1000)
    train_idx = split['train']
    steps_per_epoch = math.ceil(len(train_idx) / args.batch)
    total, warmup = args.epochs * steps_per_epoch, 5 * steps_per_epoch
    x_val = normalise(images[split['val']].float().div(255).unsqueeze(1))
    x_test = normalise(images[split['test']].float().div(255).unsqueeze(1))
    best = {'val': -1.0}
    step = 0
    for epoch in range(args.epochs):
        order = train_idx[torch.randperm(len(train_idx), generator=gen)]
        for k in range(steps_per_epoch):
            batch = order[k * args.batch:(k + 1) * args.batch]
            cur = lr * (step + 1) / warmup if step < warmup else 1e-6 + (lr - 1e-6) * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
            for grp in opt.param_groups:
                grp['lr'] = cur
            loss = F.binary_cross_entropy_with_logits(model(augment(images[batch], gen, TINY['img_size'])), targets[batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
        val = macro_auroc(model, x_val, targets[split['val']])
        if val > best['val']:
            best = {'val': val, 'test': macro_auroc(model, x_test, targets[split['test']]), 'epoch': epoch + 1}
    best['finalTest'] = macro_auroc(model, x_test, targets[split['test']])
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--epochs', type=int, default=40)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--split-seed', type=int, default=2024)
    ap.add_argument('--pretrained', default=os.path.join(ROOT, 'public', 'models', 'demo-mae-tiny.safetensors'))
    ap.add_argument('--out', default=os.path.join(ROOT, 'public', 'models', 'demo-mae-tiny.comparison.json'))
    ap.add_argument('--dump-only', metavar='PATH',
                    help='write the decoded 64 px demo images, labels and split as safetensors for scripts/compare_init.ts, then stop')
    args = ap.parse_args()
    start = time.time()
    images, targets = load_demo(TINY['img_size'])
    split = stratified_split(targets, args.split_seed)
    print({k: len(v) for k, v in split.items()}, flush=True)
    if args.dump_only:
        os.makedirs(os.path.dirname(os.path.abspath(args.dump_only)), exist_ok=True)
        write_safetensors(args.dump_only, {'images': images.float(), 'targets': targets,
                                           **{k: v.float() for k, v in split.items()}}, {'labels': ','.join(LABELS)})
        return
    results = {'pretrained': [], 'random': []}
    for seed in range(args.seeds):
        for init in results:
            r = run(init, seed, images, targets, split, args)
            results[init].append({'seed': seed, **r})
            print(init, seed, json.dumps(r), flush=True)
    summary = {init: {'testMacroAurocAtBestVal': {'mean': float(np.mean([r['test'] for r in rs])),
                                                   'std': float(np.std([r['test'] for r in rs]))}}
               for init, rs in results.items()}
    out = {'command': ' '.join(['/usr/bin/python3'] + sys.argv), 'args': vars(args),
           'split': {k: len(v) for k, v in split.items()}, 'labels': LABELS, 'runs': results, 'summary': summary,
           'normalisation': {'mean': MAE_MEAN, 'std': MAE_STD}, 'wallSeconds': round(time.time() - start, 1)}
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == '__main__':
    main()
