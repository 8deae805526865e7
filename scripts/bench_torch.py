#!/usr/bin/python3
"""PyTorch-CPU side of the training-step benchmark (issue 3; `npm run bench` spawns it).

Times the step the lab's in-browser benchmark (src/harness/bench.ts) times, on the same model:
ViT (timm layout, from scripts/golden_vit.py) with 14 outputs, batch of 1-channel images replicated to 3 channels,
BCE-with-logits loss, backward, SGD with momentum 0.9 (weight decay 0.05 as the lab's param groups
apply it), and the loss read back (`loss.item()`, the lab's `await loss.data()`; on CUDA it also waits for the
queued kernels, so wall time is the step's cost there too). Methods, as the lab defines them:
  lora   = LoRA r=8, alpha 32 on q and v of the fused qkv (MergedLinear), no dropout, plus fc_norm and head
  fft    = every parameter
  linear = fc_norm and head
Frozen parameters have requires_grad=False, so autograd skips their weight gradients just as the lab's tape does.

Usage (from the repository root):
    /usr/bin/python3 scripts/bench_torch.py [--sizes 224,112] [--methods lora,fft,linear] [--batch 32]
                                            [--warmup 1] [--reps 3] [--threads 2] [--budget-s 300] [--device cpu]
Prints one JSON object on stdout: {"torch": ..., "threads": 2, "rows": [{"size", "method", "msMedian", ...}],
"skipped": [{"size", "method", "reason"}]}. Run it with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (bench.mjs
removes them from this process's environment only: they slow PyTorch down on this machine).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_vit import Vit, lora_scaling, named_trainable  # noqa: E402

VIT_TINY = {'patchSize': 16, 'inChans': 3, 'embedDim': 192, 'depth': 12, 'numHeads': 3, 'mlpRatio': 4,
            'layerNormEps': 1e-6, 'numClasses': 14}
LORA = {'qkv': ['q', 'v'], 'proj': False, 'fc1': False, 'fc2': False, 'r': 8, 'scaling': lora_scaling(8, 32, False)}


def build(size, method, seed):
    torch.manual_seed(seed)
    model = Vit({**VIT_TINY, 'imgSize': size}, LORA if method == 'lora' else None)
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Small random weights (LoRA B included, so no gradient is trivially zero); LayerNorms keep 1 / 0.
            if 'norm' not in name:
                p.copy_(torch.randn_like(p) * 0.02)
    trainable = named_trainable(model, method)
    keep = {id(p) for p in trainable.values()}
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)
    # The lab's param groups (src/train/paramGroups.ts): no decay on 1-D tensors, pos_embed and cls_token.
    skip_decay = lambda name, p: p.ndim <= 1 or name in ('pos_embed', 'cls_token')  # noqa: E731
    decay = [p for n, p in trainable.items() if not skip_decay(n, p)]
    no_decay = [p for n, p in trainable.items() if skip_decay(n, p)]
    optimizer = torch.optim.SGD([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}],
                                lr=1e-3, momentum=0.9)
    return model, trainable, optimizer


def state_bytes(optimizer):
    total = 0
    for state in optimizer.state.values():
        for value in state.values():
            if torch.is_tensor(value):
                total += value.numel() * value.element_size()
    return total


def bench_one(size, method, batch, warmup, reps, deadline, device='cpu'):
    model, trainable, optimizer = build(size, method, seed=1)
    model.to(device)  # in place: the optimizer keeps the same (moved) parameters
    model.train()
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(batch, 1, size, size, generator=gen).to(device)
    y = (torch.rand(batch, 14, generator=gen) > 0.8).float().to(device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    warm_ms = []
    for _ in range(max(1, warmup)):
        t0 = time.perf_counter()
        step()
        warm_ms.append((time.perf_counter() - t0) * 1000)
    times = []
    for _ in range(reps):
        # Stop early rather than overrun the budget; the row says how many timed steps it has.
        if times and time.time() + times[-1] / 1000 > deadline:
            break
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(times)
    return {
        'size': size, 'method': method, 'batch': batch,
        'msMedian': round(median, 1), 'msMin': round(min(times), 1), 'warmupMs': round(warm_ms[0], 1),
        'imagesPerSec': round(batch * 1000 / median, 2), 'reps': len(times), 'repsRequested': reps,
        'trainableParams': sum(p.numel() for p in trainable.values()),
        'trainableTensors': len(trainable),
        'optimizerStateBytes': state_bytes(optimizer),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='224,112')
    parser.add_argument('--methods', default='lora,fft,linear')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--budget-s', type=float, default=300.0, help='wall-clock budget for all rows together')
    parser.add_argument('--device', default='cpu', help="'cpu', or 'cuda' on a GPU machine (scripts/gpu/)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.device == 'cuda':
        # float32 against float32: tfjs-WebGPU computes in fp32, PyTorch would use TF32 tensor cores by default.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    started = time.time()
    deadline = started + args.budget_s
    rows, skipped = [], []
    for size in [int(s) for s in args.sizes.split(',') if s]:
        for method in [m for m in args.methods.split(',') if m]:
            if time.time() > deadline:
                skipped.append({'size': size, 'method': method, 'reason': f'PyTorch budget of {args.budget_s:.0f} s used up'})
                continue
            rows.append(bench_one(size, method, args.batch, args.warmup, args.reps, deadline, args.device))
            print(f"torch {size}px {method}: {rows[-1]['msMedian']} ms/step", file=sys.stderr, flush=True)
    print(json.dumps({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'device': torch.cuda.get_device_name() if args.device == 'cuda' else 'cpu',
        'openblasEnv': {k: os.environ[k] for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE') if k in os.environ},
        'seconds': round(time.time() - started, 1),
        'rows': rows,
        'skipped': skipped,
    }))


if __name__ == '__main__':
    main()
