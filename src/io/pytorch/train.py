#!/usr/bin/env python3
"""Fine-tune a timm ViT on chest radiographs with the settings of one CXR PEFT Lab run.

Exported by CXR PEFT Lab ("Export for PyTorch"). The lab trains in the browser; this file repeats the same run
with PyTorch, timm and Hugging Face PEFT, on CPU, one GPU or many (DistributedDataParallel via torchrun):

    python train.py --data /path/to/dataset --device cpu
    torchrun --nproc_per_node=4 train.py --data /path/to/dataset

config.json holds the lab's run config under the lab's own field names (baseLr, warmupSteps, dropPath, ...);
its "export" section adds what the lab knew besides (label names, ViT sizes, input normalisation, storage size,
which split files and backbone belong to the run). Comments below name the lab setting each part implements.

What is the same as in the lab, number for number (checked by the lab's tests against this file):
batch order, augmentation boxes, evaluation subset, model, LoRA, loss, gradients, optimizer, schedule, the choice
of the best validation checkpoint and its test score (AUROC, calibration error, bootstrap interval).
What differs: random draws of PyTorch (drop-path masks, LoRA dropout masks, fresh LoRA / head initialisation)
are not the browser's, and 8-bit PNG / JPEG files are resized here by area averaging where the browser used its
own image scaler (see load_storage_image).

Outputs (in --out): metrics.json (the lab's "Download metrics" schema, with the test score under "test"), adapter/
(PEFT save_pretrained, LoRA runs), merged.safetensors (timm parameter names, adapter merged), all from the best
validation evaluation.
"""
import argparse
import contextlib
import csv
import datetime
import functools
import io
import json
import math
import os
import time
from collections.abc import Sequence

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageOps
from safetensors.torch import load_file, save_file
from timm.models.vision_transformer import VisionTransformer
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
QKV_PARTS = ('q', 'k', 'v')


# ----------------------------------------------------------------------------------------------------------------
# Seeded randomness: the lab's mulberry32 and Fisher-Yates shuffle, so batch order and crops follow the same seed.

def mulberry32(seed):
    """mulberry32 (Tommy Ettinger, public domain): floats in [0, 1), 32-bit state, as the lab's random.ts."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), state | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_float


def shuffle_in_place(items, rand):
    """Fisher-Yates from the end (Knuth's Algorithm P), drawing j = floor(rand * (i + 1))."""
    for i in range(len(items) - 1, 0, -1):
        j = int(math.floor(rand() * (i + 1)))
        items[i], items[j] = items[j], items[i]
    return items


def hash_string(text, seed=0):
    """32-bit FNV-1a over UTF-16 code units with MurmurHash3's fmix32, as the lab's hashString: it derives the seed of
    each epoch's shuffle and of each step's random draws from the run's seed."""
    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    h = 0x811C9DC5 ^ (seed & 0xFFFFFFFF)
    units = text.encode('utf-16-le')
    for i in range(0, len(units), 2):
        h = imul(h ^ int.from_bytes(units[i:i + 2], 'little'), 0x01000193)
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = imul(h, 0xC2B2AE35)
    return h ^ (h >> 16)


def mulberry32_array(seed, start, count):
    """Draws start + 1 ... start + count of mulberry32(seed) at once: its state advances by a constant, so draw k
    depends on seed + k * 0x6D2B79F5 alone (numpy, for the bootstrap's many draws)."""
    m = np.uint64(0xFFFFFFFF)
    k = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    state = (np.uint64(seed & 0xFFFFFFFF) + k * np.uint64(0x6D2B79F5)) & m
    t = ((state ^ (state >> np.uint64(15))) * (state | np.uint64(1))) & m
    t ^= (t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m
    return ((t ^ (t >> np.uint64(14))) & m).astype(np.float64) / 4294967296


# ----------------------------------------------------------------------------------------------------------------
# Images: the lab stores every radiograph once as 8-bit grayscale, storageSize x storageSize, stretched to square.
# This loader makes the same bytes from the original files.

@functools.lru_cache(maxsize=32)
def resize_matrix(in_size, out_size):
    """[out, in] weights: area average when shrinking (Pillow's BOX), bilinear with half-pixel centres when enlarging,
    as the lab's resizeGray. The lab sums in float32, this in float64: a value on a .5 tie may round the other way
    (at most 1 gray level; measured in tests/io/pytorchExport.test.ts)."""
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    scale = in_size / out_size
    for o in range(out_size):
        if out_size <= in_size:
            start, end = o * scale, (o + 1) * scale
            for i in range(int(math.floor(start)), min(in_size, int(math.ceil(end - 1e-9)))):
                weights[o, i] = (min(end, i + 1) - max(start, i)) / scale
        elif in_size == 1:
            weights[o, 0] = 1.0
        else:
            centre = min(max((o + 0.5) * scale - 0.5, 0.0), in_size - 1)
            left = min(int(math.floor(centre)), in_size - 2)
            weights[o, left] = 1.0 - (centre - left)
            weights[o, left + 1] = centre - left
    return weights


def resize_to_bytes(gray, size):
    """Float gray [H, W] in 0..255 -> uint8 [size, size], stretched; rounding half up as the lab's toBytes."""
    height, width = gray.shape
    resized = resize_matrix(height, size) @ gray.astype(np.float64) @ resize_matrix(width, size).T
    return np.clip(np.floor(resized + 0.5), 0, 255).astype(np.uint8)


def luma(rgb):
    """ITU-R BT.601 luma of an [H, W, 3] array (the weights of PIL's convert('L'))."""
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def percentile_window(values, low=0.5, high=99.5):
    """16-bit samples -> 0..255 by the 0.5 % / 99.5 % percentiles (the lab's 16-bit PNG window)."""
    flat = np.sort(values.ravel())
    lo = flat[int(math.floor(low / 100 * (flat.size - 1)))]
    hi = flat[int(math.floor(high / 100 * (flat.size - 1)))]
    if hi <= lo:
        return np.zeros_like(values, dtype=np.float64)
    return (np.clip(values - lo, 0, hi - lo) / (hi - lo)) * 255.0


def dicom_pixels(ds, pydicom):
    """The first frame's stored values. JPEG Baseline frames (RSNA's DICOMs) are handed to Pillow when pydicom has no
    JPEG plugin for the installed Pillow (pydicom 3 wants Pillow >= 10)."""
    try:
        return ds.pixel_array
    except RuntimeError:
        if ds.file_meta.TransferSyntaxUID != '1.2.840.10008.1.2.4.50':
            raise
        encaps = pydicom.encaps
        frames = encaps.generate_frames(ds.PixelData) if hasattr(encaps, 'generate_frames') else encaps.generate_pixel_data_frame(ds.PixelData)
        with Image.open(io.BytesIO(next(frames))) as frame:
            return np.asarray(frame)


def dicom_gray(path):
    """First frame of a DICOM: modality LUT, then Window Center / Width (PS3.3 C.11.2.1.2.1) or a min-max stretch."""
    try:
        import pydicom
    except ImportError as error:
        raise RuntimeError(f'{path} is a DICOM file: install pydicom (pip install pydicom) to read it') from error
    ds = pydicom.dcmread(path)
    values = dicom_pixels(ds, pydicom).astype(np.float64)
    if values.ndim == 3 and values.shape[-1] == 3:
        values = luma(values)
    elif values.ndim == 3:
        values = values[0]
    values = values * float(getattr(ds, 'RescaleSlope', 1) or 1) + float(getattr(ds, 'RescaleIntercept', 0) or 0)

    def first(v):  # Window Center / Width may hold several values: the first is the default window
        return float(v[0]) if isinstance(v, Sequence) and not isinstance(v, str) else float(v)

    center, width = getattr(ds, 'WindowCenter', None), getattr(ds, 'WindowWidth', None)
    if center is not None and width is not None and first(width) >= 1:
        c, w = first(center), first(width)
        low, high = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
        out = np.where(values <= low, 0.0, np.where(values > high, 255.0, ((values - (c - 0.5)) / (w - 1) + 0.5) * 255))
    else:
        span = values.max() - values.min()
        out = (values - values.min()) / span * 255 if span > 0 else np.zeros_like(values)
    if str(getattr(ds, 'PhotometricInterpretation', '')).strip() == 'MONOCHROME1':
        out = 255 - out
    return out


def load_storage_image(path, size):
    """Any radiograph file -> uint8 [size, size] grayscale, as the lab's ingest stores it."""
    with open(path, 'rb') as f:
        head = f.read(132)
    if head[128:132] == b'DICM':
        return resize_to_bytes(dicom_gray(path), size)
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)  # the browser applies the EXIF orientation too
        if image.mode in ('I', 'I;16', 'I;16B', 'I;16L'):  # 16-bit grayscale PNG
            gray = percentile_window(np.asarray(image, dtype=np.float64))
        elif image.mode == 'L':
            gray = np.asarray(image, dtype=np.float64)
        elif image.mode == 'LA':
            gray = np.asarray(image, dtype=np.float64)[..., 0]
        else:  # RGB(A), palette, CMYK, 1-bit: luma of the RGB values, rounded to a gray level as the browser path does
            gray = np.floor(luma(np.asarray(image.convert('RGB'))) + 0.5)
    return resize_to_bytes(gray, size)


# ----------------------------------------------------------------------------------------------------------------
# Splits and batches (the lab's BatchStream): train batches from a seeded reshuffle per epoch, ragged tail dropped;
# evaluation on a fixed seeded subset of at most evalMaxImages validation images.

def read_split(path, labels):
    """splits/<split>.csv: path,<label 1>,...; values 1 positive, 0 negative, -1 ignored (masked out)."""
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[1:] != labels:
            raise ValueError(f'{path}: label columns {header[1:]} are not the run\'s labels {labels}')
        rows = [(row[0], [int(v) for v in row[1:]]) for row in reader if row]
    return rows  # in the lab's key order: the seeded shuffles start from it


class RadiographFiles(torch.utils.data.Dataset):
    """Rows of a split -> (uint8 [S, S] pixels, 0/1 targets [K], mask [K]); -1 labels get target 0 and mask 0."""

    def __init__(self, root, rows, storage_size):
        self.root, self.rows, self.size = root, rows, storage_size

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        path, values = self.rows[index]
        pixels = torch.from_numpy(load_storage_image(os.path.join(self.root, path), self.size))
        values = torch.tensor(values, dtype=torch.float32)
        return pixels, (values == 1).float(), (values != -1).float(), index


def train_batches(num_images, batch_size, seed):
    """Endless global batches of row indices, as the lab's train BatchStream orders them: epoch e is a shuffle seeded
    by hash_string('train-epoch:e', seed), cut into whole batches (the ragged tail dropped); with fewer images than
    one batch, batches are filled from consecutive epochs."""
    cached = {}

    def epoch_order(epoch):
        if epoch not in cached:
            cached.clear()
            cached[epoch] = shuffle_in_place(list(range(num_images)), mulberry32(hash_string(f'train-epoch:{epoch}', seed)))
        return cached[epoch]

    per_epoch = num_images // batch_size
    b = 0
    while True:
        if per_epoch > 0:
            start = (b % per_epoch) * batch_size
            yield epoch_order(b // per_epoch)[start:start + batch_size]
        else:
            yield [epoch_order(q // num_images)[q % num_images] for q in range(b * batch_size, (b + 1) * batch_size)]
        b += 1


class ShardOfEachBatch(torch.utils.data.Sampler):
    """This process's rows of every global batch (rows rank, rank + N, ...: DistributedSampler's striding)."""

    def __init__(self, num_images, batch_size, seed, steps, rank, world_size):
        self.args = (num_images, batch_size, seed)
        self.steps, self.rank, self.world_size = steps, rank, world_size

    def __iter__(self):
        batches = train_batches(*self.args)
        for _ in range(self.steps):
            yield next(batches)[self.rank::self.world_size]

    def __len__(self):
        return self.steps


def evaluation_subset(num_images, seed, max_images):
    """The lab's evaluation order: one shuffle seeded by the run's seed, cut to evalMaxImages for validation (the same
    images at every evaluation); the test split is scored whole, in its own such order."""
    order = shuffle_in_place(list(range(num_images)), mulberry32(seed))
    return order if max_images is None else order[:max(1, max_images)]


# ----------------------------------------------------------------------------------------------------------------
# Input pipeline (lab: augment = RandomResizedCrop + horizontal flip; evaluation = resize + centre crop 224/256).

def random_resized_crop_boxes(n, rand):
    """torchvision's RandomResizedCrop.get_params on the unit square (scale 0.08-1, ratio 3/4-4/3, 10 tries, then the
    whole image) + flip with p = 0.5, as boxes [y1, x1, y2, x2]; a flipped box has x1 > x2. Drawn from the lab's
    seeded generator so the crops equal the lab's."""
    boxes = []
    log_ratio = (math.log(3 / 4), math.log(4 / 3))
    for _ in range(n):
        box = None
        for _attempt in range(10):
            area = 0.08 + (1 - 0.08) * rand()
            aspect = math.exp(log_ratio[0] + (log_ratio[1] - log_ratio[0]) * rand())
            w, h = math.sqrt(area * aspect), math.sqrt(area / aspect)
            if w <= 1 and h <= 1:
                y, x = (1 - h) * rand(), (1 - w) * rand()
                box = [y, x, y + h, x + w]
                break
        box = box or [0.0, 0.0, 1.0, 1.0]
        if rand() < 0.5:
            box = [box[0], box[3], box[2], box[1]]
        boxes.append(box)
    return np.asarray(boxes, dtype=np.float32)  # the lab keeps boxes as float32


def centre_crop_boxes(n, fraction=224 / 256):
    m = (1 - fraction) / 2
    return np.asarray([[m, m, 1 - m, 1 - m]] * n, dtype=np.float32)


def crop_and_resize(images, boxes, out_size):
    """Bilinear crop-and-resize of [B, H, W] images by boxes in [0, 1], with tf.image.crop_and_resize's sampling
    (corner-aligned: y = y1 (H - 1) + i (y2 - y1) (H - 1) / (out - 1); outside the image -> 0), which the lab's
    augmentation uses. Computed in float64 and rounded to float32 once, as the lab's CPU kernel does."""
    b, h, w = images.shape
    src = images.double()
    box = torch.from_numpy(boxes.astype(np.float64)).to(images.device)
    steps = torch.arange(out_size, dtype=torch.float64, device=images.device) / max(1, out_size - 1)
    ys = box[:, 0:1] * (h - 1) + steps * ((box[:, 2:3] - box[:, 0:1]) * (h - 1))  # [B, out]
    xs = box[:, 1:2] * (w - 1) + steps * ((box[:, 3:4] - box[:, 1:2]) * (w - 1))  # [B, out]
    inside = ((ys >= 0) & (ys <= h - 1))[:, :, None] & ((xs >= 0) & (xs <= w - 1))[:, None, :]  # [B, out, out]
    ys, xs = ys.clamp(0, h - 1), xs.clamp(0, w - 1)
    top, left = ys.floor().long(), xs.floor().long()
    bottom, right = ys.ceil().long(), xs.ceil().long()
    y_lerp, x_lerp = (ys - top)[:, :, None], (xs - left)[:, None, :]
    rows = torch.arange(b, device=images.device)[:, None, None]

    def at(r, c):
        return src[rows, r[:, :, None], c[:, None, :]]  # [B, out, out]

    upper = at(top, left) + (at(top, right) - at(top, left)) * x_lerp
    lower = at(bottom, left) + (at(bottom, right) - at(bottom, left)) * x_lerp
    return torch.where(inside, upper + (lower - upper) * y_lerp, torch.zeros_like(upper)).float()


def model_inputs(pixels, img_size, norm, boxes, in_chans=3):
    """uint8 [B, S, S] -> normalised [B, C, img, img]: /255, crop or resize, (x - mean) / std, gray copied to C channels
    (the lab feeds one channel and sums the patch kernel over C: the same convolution)."""
    x = pixels.float() / 255
    if boxes is not None:
        x = crop_and_resize(x, boxes, img_size)
    elif x.shape[-1] != img_size:
        x = F.interpolate(x[:, None], size=(img_size, img_size), mode='bilinear', align_corners=False)[:, 0]
    x = (x - norm['mean']) / norm['std']
    return x[:, None].expand(-1, in_chans, -1, -1)


# ----------------------------------------------------------------------------------------------------------------
# Model: timm's VisionTransformer with the lab's head (mean of patch tokens -> fc_norm -> head).

def build_vit(vit, drop_path):
    """The lab's VitConfig as timm arguments; dropPath is the rate of the last block (timm's linear rule)."""
    return VisionTransformer(
        img_size=vit['imgSize'], patch_size=vit['patchSize'], in_chans=vit['inChans'], num_classes=vit['numClasses'],
        embed_dim=vit['embedDim'], depth=vit['depth'], num_heads=vit['numHeads'], mlp_ratio=vit['mlpRatio'],
        qkv_bias=True, class_token=True, global_pool='avg', fc_norm=True, drop_path_rate=drop_path,
        norm_layer=functools.partial(nn.LayerNorm, eps=vit['layerNormEps']))


def init_classifier(model):
    """New fc_norm and head as MAE fine-tuning (and the lab) make them: LayerNorm 1/0, head trunc-normal(2e-5), bias 0."""
    nn.init.ones_(model.fc_norm.weight)
    nn.init.zeros_(model.fc_norm.bias)
    nn.init.trunc_normal_(model.head.weight, std=2e-5)
    nn.init.zeros_(model.head.bias)


def load_backbone(model, path, keep_classifier):
    """A timm-layout checkpoint (.safetensors, or torch.save with the state dict at the top or under "model"):
    module./model./encoder. prefixes stripped, the MAE decoder, mask token and final norm ignored, pos_embed
    resampled bicubically when its grid differs (MAE's interpolate_pos_embed). Returns a one-line note."""
    if path.endswith('.safetensors'):
        state = load_file(path)
    else:
        state = torch.load(path, map_location='cpu')
        state = state.get('model', state.get('state_dict', state))
    cleaned = {}
    for key, value in state.items():
        for prefix in ('module.', 'model.', 'encoder.'):
            while key.startswith(prefix):
                key = key[len(prefix):]
        cleaned[key] = value
    own = model.state_dict()
    classifier = {'fc_norm.weight', 'fc_norm.bias', 'head.weight', 'head.bias'}
    if 'pos_embed' in cleaned and cleaned['pos_embed'].shape != own['pos_embed'].shape:
        cleaned['pos_embed'] = resample_pos_embed(cleaned['pos_embed'], own['pos_embed'].shape[1] - 1)
    loaded = {k: v for k, v in cleaned.items()
              if k in own and v.shape == own[k].shape and (keep_classifier or k not in classifier)}
    missing = sorted(set(own) - set(loaded) - classifier)
    if missing:
        raise ValueError(f'{path} lacks backbone tensors {missing[:5]}{" ..." if len(missing) > 5 else ""}')
    init_classifier(model)
    model.load_state_dict(loaded, strict=False)
    new = sorted(classifier - set(loaded))
    return f'{os.path.basename(path)}: {len(loaded)} tensors loaded, {len(cleaned) - len(loaded)} ignored, new: {", ".join(new) or "none"}'


def resample_pos_embed(pos_embed, num_patches):
    """[1, 1 + g*g, D] -> [1, 1 + n, D]: CLS kept, the grid resized with torch bicubic (align_corners=False)."""
    cls, grid = pos_embed[:, :1], pos_embed[:, 1:]
    old, new, dim = int(math.isqrt(grid.shape[1])), int(math.isqrt(num_patches)), grid.shape[-1]
    grid = grid.reshape(1, old, old, dim).permute(0, 3, 1, 2)  # [1, D, g, g]
    grid = F.interpolate(grid.float(), size=(new, new), mode='bicubic', align_corners=False)
    return torch.cat([cls, grid.permute(0, 2, 3, 1).reshape(1, new * new, dim)], dim=1)


# ----------------------------------------------------------------------------------------------------------------
# LoRA with PEFT, mapped exactly onto the lab's adapter (lab setting "lora": r, lora_alpha, lora_dropout,
# use_rslora, targets).
#
# The lab puts a separate rank-r pair (A_p [r, D], B_p [D, r]) on each adapted part p of the fused qkv (the study
# adapts q and v). PEFT adapts whole Linears, so qkv gets ONE pair of rank R = m r (m adapted parts):
#   lora_A = [A_q; A_v]            [2r, D]
#   lora_B = block matrix          [3D, 2r]: B_q in the q rows / columns 0:r, B_v in the v rows / columns r:2r,
#                                            zeros everywhere else (the whole k third included)
#   lora_alpha' = m alpha          so PEFT's scaling alpha'/R equals the lab's alpha/r (rsLoRA: sqrt(m) alpha).
# Then B A x puts B_q A_q x in the q rows, nothing in the k rows and B_v A_v x in the v rows: the lab's output.
# Training keeps that form only if the zero blocks stay zero. PEFT cannot do that by itself (its gradient of
# lora_B is dense), so the gradient of lora_B is multiplied by the 0/1 block mask after every backward pass:
# a zero block then gets zero gradient, zero momentum / Adam moments, and weight decay of zero is zero, so it
# stays exactly zero; inside the blocks the gradients are the lab's. proj / fc1 / fc2 targets are plain
# PEFT LoRA with rank r and alpha (rank_pattern / alpha_pattern give qkv its own R and alpha').

def lora_modules(lora, depth):
    t = lora['targets']
    names = []
    for i in range(depth):
        names += [f'blocks.{i}.attn.qkv'] if t['qkv'] else []
        names += [f'blocks.{i}.attn.proj'] if t['proj'] else []
        names += [f'blocks.{i}.mlp.fc1'] if t['fc1'] else []
        names += [f'blocks.{i}.mlp.fc2'] if t['fc2'] else []
    return names


def peft_lora_config(lora, depth):
    from peft import LoraConfig
    parts = [p for p in QKV_PARTS if p in lora['targets']['qkv']]
    m = len(parts)
    qkv_rank = m * lora['r']
    qkv_alpha = math.sqrt(m) * lora['lora_alpha'] if lora['use_rslora'] else m * lora['lora_alpha']
    modules = lora_modules(lora, depth)
    only_qkv = all(name.endswith('.attn.qkv') for name in modules)
    qkv = [name for name in modules if name.endswith('.attn.qkv')]
    return LoraConfig(
        r=qkv_rank if only_qkv else lora['r'],
        lora_alpha=qkv_alpha if only_qkv else lora['lora_alpha'],
        rank_pattern={} if only_qkv else {name: qkv_rank for name in qkv},
        alpha_pattern={} if only_qkv else {name: qkv_alpha for name in qkv},
        lora_dropout=lora['lora_dropout'], use_rslora=lora['use_rslora'],
        target_modules=modules,  # full paths: a bare "proj" would also match patch_embed.proj
        modules_to_save=['fc_norm', 'head'])


def lora_b_masks(peft_model, lora, dim):
    """(lora_B parameter, 0/1 mask) for every adapted qkv: ones on the block of each adapted part, zeros elsewhere."""
    parts = [p for p in QKV_PARTS if p in lora['targets']['qkv']]
    r = lora['r']
    masks = []
    for name, param in peft_model.named_parameters():
        if '.attn.qkv.lora_B.' in name:
            mask = torch.zeros_like(param)  # [3D, m r]
            for j, part in enumerate(parts):
                row = QKV_PARTS.index(part) * dim
                mask[row:row + dim, j * r:(j + 1) * r] = 1
            masks.append((param, mask))
    return masks


def add_lora(model, lora, depth, dim, adapter_dir):
    """PEFT LoRA on the lab's targets; fc_norm and head train too (modules_to_save). adapter_dir: start from a saved
    adapter (the lab's "Import adapter (PEFT)"), else PEFT's init: A Kaiming-uniform, B zero, as the lab."""
    from peft import get_peft_model, set_peft_model_state_dict
    peft_model = get_peft_model(model, peft_lora_config(lora, depth))
    masks = lora_b_masks(peft_model, lora, dim)
    if adapter_dir:
        result = set_peft_model_state_dict(peft_model, load_file(os.path.join(adapter_dir, 'adapter_model.safetensors')))
        if result.unexpected_keys:
            raise ValueError(f'{adapter_dir}: tensors this run has no place for: {result.unexpected_keys[:4]}')
        for param, mask in masks:
            if bool((param.detach() * (1 - mask)).abs().max() > 0):
                raise ValueError(f'{adapter_dir}: lora_B of qkv is not in the lab\'s block layout (q / v blocks only)')
    return peft_model, masks


# ----------------------------------------------------------------------------------------------------------------
# Optimizer and schedule (lab settings optimizer, baseLr, scaleLrByBatch, minLr, momentum, weightDecay, layerDecay,
# warmupSteps, totalSteps).

def timm_name(peft_name):
    """PEFT parameter name -> the name in timm / adapter files: blocks.0.attn.qkv.lora_A.weight, head.weight, ..."""
    name = peft_name.replace('base_model.model.', '').replace('.modules_to_save.default', '')
    return name.replace('.original_module', '').replace('.lora_A.default.', '.lora_A.').replace('.lora_B.default.', '.lora_B.')


def layer_id(name, depth):
    """Layer-wise lr decay layers (BEiT / MAE lr_decay.py): embeddings 0, block i -> i + 1, fc_norm / head depth + 1."""
    if name in ('cls_token', 'pos_embed') or name.startswith('patch_embed'):
        return 0
    if name.startswith('blocks.'):
        return int(name.split('.')[1]) + 1
    return depth + 1


def param_groups(named_params, depth, run):
    """One group per (layer, decay): lr scale layerDecay^(depth + 1 - layer); no weight decay on 1-D tensors,
    pos_embed and cls_token (MAE's param_groups_lrd). LoRA tensors belong to their block."""
    groups = {}
    for peft_name, param in named_params:
        name = timm_name(peft_name)
        decay = not (param.ndim == 1 or name in ('pos_embed', 'cls_token'))
        layer = layer_id(name, depth)
        scale = 1.0 if run['layerDecay'] == 1 else run['layerDecay'] ** (depth + 1 - layer)
        group = groups.setdefault((layer, decay), {'params': [], 'lr_scale': scale,
                                                   'weight_decay': run['weightDecay'] if decay else 0.0})
        group['params'].append(param)
    return list(groups.values())


def make_optimizer(groups, run):
    """torch.optim.SGD (momentum, no dampening, no Nesterov) or AdamW (beta1 = momentum, beta2 0.999, eps 1e-8)."""
    if run['optimizer'] == 'adamw':
        return torch.optim.AdamW(groups, lr=0.0, betas=(run['momentum'], 0.999), eps=1e-8)
    return torch.optim.SGD(groups, lr=0.0, momentum=run['momentum'])


def learning_rate_at(step, run):
    """Linear warm-up from 0 for warmupSteps, then half-cycle cosine to minLr at totalSteps, per step (step from 0).
    Peak = baseLr x batchSize / 256 when scaleLrByBatch (MAE's rule), else baseLr."""
    peak = run['baseLr'] * run['batchSize'] / 256 if run['scaleLrByBatch'] else run['baseLr']
    if step < run['warmupSteps']:
        return peak * step / run['warmupSteps']
    progress = min(1.0, (step - run['warmupSteps']) / max(1, run['totalSteps'] - run['warmupSteps']))
    return run['minLr'] + (peak - run['minLr']) * 0.5 * (1 + math.cos(math.pi * progress))


# ----------------------------------------------------------------------------------------------------------------
# Loss and metrics: BCE with logits averaged over the label entries that count (mask 1); AUROC as scikit-learn's
# roc_auc_score (Mann-Whitney U, ties count one half), null for a label with one class; macro = mean of the rest.

def masked_bce_sum(logits, targets, mask):
    return (F.binary_cross_entropy_with_logits(logits, targets, reduction='none') * mask).sum()


def auroc(scores, targets):
    if scores.size == 0 or not np.all(np.isfinite(scores)):
        return None
    positives = int((targets > 0.5).sum())
    negatives = scores.size - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(scores, kind='mergesort')
    ranks = np.empty(scores.size, dtype=np.float64)
    sorted_scores = scores[order]
    start = 0
    while start < scores.size:
        end = start + 1
        while end < scores.size and sorted_scores[end] == sorted_scores[start]:
            end += 1
        ranks[order[start:end]] = (start + 1 + end) / 2  # average rank of a run of ties
        start = end
    return float((ranks[targets > 0.5].sum() - positives * (positives + 1) / 2) / (positives * negatives))


class Pipeline:
    """What turns stored pixels into model inputs, and the batch / loader sizes (one object instead of six arguments)."""

    def __init__(self, run, export, workers, device):
        self.img_size, self.in_chans = export['vit']['imgSize'], export['vit']['inChans']
        self.norm, self.augment = export['normalisation'], run['augment']
        self.batch_size, self.workers, self.device = run['batchSize'], workers, device

    def inputs(self, pixels, boxes):
        return model_inputs(pixels.to(self.device), self.img_size, self.norm, boxes, self.in_chans)


@torch.no_grad()
def predict(model, dataset, indices, pipeline, dist_info):
    """Sigmoid scores, per-entry BCE, targets and masks [N, K] of the images `indices`, in that order (each process
    takes every N-th; gathered)."""
    rank, world_size = dist_info
    model.eval()  # no drop-path, no LoRA dropout
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(dataset, indices[rank::world_size]),
                                         batch_size=pipeline.batch_size, num_workers=pipeline.workers)
    rows = {}
    for pixels, targets, mask, index in loader:
        boxes = centre_crop_boxes(len(pixels)) if pipeline.augment else None
        logits = model(pipeline.inputs(pixels, boxes)).cpu()
        bce = F.binary_cross_entropy_with_logits(logits, targets, reduction='none')
        for i in range(len(index)):
            rows[int(index[i])] = (torch.sigmoid(logits[i]).numpy(), bce[i].numpy(), targets[i].numpy(), mask[i].numpy())
    if world_size > 1:
        gathered = [None] * world_size
        dist.all_gather_object(gathered, rows)
        rows = {k: v for part in gathered for k, v in part.items()}
    model.train()
    return tuple(np.stack([rows[i][k] for i in indices]) for k in range(4))


def evaluation_record(predictions, labels, step, split):
    """The lab's EvaluationRecord: masked mean BCE, AUROC per label, macro AUROC, images."""
    probs, bce, targets, mask = predictions
    per_label = [auroc(probs[mask[:, k] > 0, k], targets[mask[:, k] > 0, k]) for k in range(len(labels))]
    defined = [v for v in per_label if v is not None]
    return {
        'step': step, 'split': split,
        'loss': float((bce * mask).sum() / mask.sum()) if mask.sum() > 0 else None,
        'auroc': dict(zip(labels, per_label)),
        'macroAuroc': float(np.mean(defined)) if defined else None,
        'images': len(probs),
    }


def expected_calibration_error(probs, targets, bins=15):
    """ECE over 15 equal-width bins of the positive-class probability, scikit-learn's calibration_curve binning
    (a p on an edge goes to the bin below): sum over bins of n_b / N |positives_b / n_b - mean p_b|."""
    if probs.size == 0 or not np.all(np.isfinite(probs)):
        return None
    index = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], probs, side='left')
    counts = np.bincount(index, minlength=bins)
    sums = np.bincount(index, weights=probs.astype(np.float64), minlength=bins)
    positives = np.bincount(index, weights=(targets > 0.5).astype(np.float64), minlength=bins)
    used = counts > 0
    return float(np.sum(counts[used] / probs.size * np.abs(positives[used] / counts[used] - sums[used] / counts[used])))


def bootstrap_macro_auroc(probs, targets, mask, seed, resamples=1000):
    """95 % percentile interval of the macro AUROC over resamples of whole test images: resample r draws n row
    indices floor(u n) from one mulberry32(seed) stream; a label counts in a resample when it has both classes
    there (labels without both classes, or with a non-finite score, in the whole set never count)."""
    n, num_labels = probs.shape
    rankings = []
    for k in range(num_labels):
        rows = np.flatnonzero(mask[:, k] > 0)
        positive = targets[rows, k] > 0.5
        if not np.all(np.isfinite(probs[rows, k])) or positive.all() or not positive.any():
            continue
        order = np.argsort(probs[rows, k], kind='stable')
        scores = probs[rows[order], k]
        run_starts = np.flatnonzero(np.r_[True, scores[1:] != scores[:-1]])  # runs of tied scores
        rankings.append((rows[order], positive[order].astype(np.float64), run_starts))
    macros = []
    for r in range(resamples):
        drawn = np.bincount(np.floor(mulberry32_array(seed, r * n, n) * n).astype(np.int64), minlength=n).astype(np.float64)
        values = []
        for rows, positive, run_starts in rankings:
            weight = drawn[rows]
            run_pos = np.add.reduceat(weight * positive, run_starts)
            run_neg = np.add.reduceat(weight * (1 - positive), run_starts)
            below = np.cumsum(run_neg) - run_neg
            pos, neg = run_pos.sum(), run_neg.sum()
            if pos > 0 and neg > 0:  # Mann-Whitney U with ties counting one half, weighted by draw counts
                values.append(float(np.sum(run_pos * (below + 0.5 * run_neg))) / (pos * neg))
        if values:
            macros.append(sum(values) / len(values))
    if not macros:
        return {'lo': None, 'hi': None, 'median': None, 'resamples': 0}
    lo, hi, median = np.percentile(np.sort(macros), [2.5, 97.5, 50])
    return {'lo': float(lo), 'hi': float(hi), 'median': float(median), 'resamples': len(macros)}


def test_score(predictions, labels, step, seed):
    """The lab's TestScore (metrics.json "test"): the evaluation record's numbers, ECE per label and their mean, and
    the bootstrap interval of the macro AUROC (1,000 resamples seeded with the run's seed)."""
    record = evaluation_record(predictions, labels, step, 'test')
    probs, _, targets, mask = predictions
    ece = [expected_calibration_error(probs[mask[:, k] > 0, k], targets[mask[:, k] > 0, k]) for k in range(len(labels))]
    defined = [v for v in ece if v is not None]
    return {
        'step': step, 'images': record['images'], 'loss': record['loss'], 'auroc': record['auroc'],
        'macroAuroc': record['macroAuroc'], 'ece': dict(zip(labels, ece)),
        'meanEce': float(np.mean(defined)) if defined else None,
        'macroAurocCi': bootstrap_macro_auroc(probs, targets, mask, seed),
    }


def is_better(record, best):
    """The lab's best-validation rule: the first evaluation, then a higher macro AUROC; without AUROCs a lower loss."""
    if best is None:
        return True
    if record['macroAuroc'] is not None and best['macroAuroc'] is not None:
        return record['macroAuroc'] > best['macroAuroc']
    if record['macroAuroc'] is not None or best['macroAuroc'] is not None:
        return record['macroAuroc'] is not None
    return record['loss'] is not None and (best['loss'] is None or record['loss'] < best['loss'])


def lab_param_count(model, run, vit):
    """The lab's "params": LoRA counts r (in + out) per adapted part (PEFT's zero blocks are not trained numbers)."""
    base = sum(p.numel() for name, p in model.named_parameters()
               if '.lora_' not in name and '.modules_to_save.' not in name)
    classifier = sum(p.numel() for name, p in model.named_parameters()
                     if timm_name(name).split('.')[0] in ('fc_norm', 'head') and '.modules_to_save.' not in name)
    if run['method'] == 'fft':
        return {'trainable': base, 'total': base}
    if run['method'] == 'linear':
        return {'trainable': classifier, 'total': base}
    d, hidden, t, r = vit['embedDim'], vit['embedDim'] * vit['mlpRatio'], run['lora']['targets'], run['lora']['r']
    per_block = len(t['qkv']) * r * 2 * d + (r * 2 * d if t['proj'] else 0) + r * (d + hidden) * (t['fc1'] + t['fc2'])
    adapter = per_block * vit['depth']
    return {'trainable': adapter + classifier, 'total': base + adapter}


# ----------------------------------------------------------------------------------------------------------------
# The run.

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', required=True, help='dataset root: the folder the lab ingested (split paths are relative to it)')
    p.add_argument('--config', default=os.path.join(HERE, 'config.json'), help='the lab run config (config.json)')
    p.add_argument('--splits', default=None, help='folder with train.csv, val.csv, test.csv (default: from the config)')
    p.add_argument('--backbone', default=None, help='timm checkpoint / the lab\'s exported backbone (default: from the config)')
    p.add_argument('--keep-classifier', action='store_true', help='also load fc_norm and head from --backbone')
    p.add_argument('--adapter', default=None, help='start LoRA from this PEFT adapter folder (the lab\'s "Import adapter")')
    p.add_argument('--out', default=None, help='output folder (default: runs/<run name>)')
    p.add_argument('--device', default='auto', choices=('auto', 'cpu', 'cuda'))
    p.add_argument('--workers', type=int, default=4, help='image-decoding processes per training process')
    p.add_argument('--micro-batch', type=int, default=None, help='images per gradient pass per process (accumulated)')
    p.add_argument('--steps-override', type=int, default=None, help='stop after this many steps (schedule unchanged)')
    p.add_argument('--debug-dump', default=None, help='folder for loss, gradients and updated tensors of the first steps')
    p.add_argument('--debug-steps', type=int, default=3, help='how many steps --debug-dump records')
    return p.parse_args()


def resolve(path):
    return path if os.path.isabs(path) else os.path.join(HERE, path)


def setup_distributed(device_choice):
    """torchrun sets WORLD_SIZE / RANK / LOCAL_RANK; gloo on CPU, nccl on CUDA."""
    world_size = int(os.environ.get('WORLD_SIZE', '1'))
    rank, local_rank = int(os.environ.get('RANK', '0')), int(os.environ.get('LOCAL_RANK', '0'))
    use_cuda = device_choice == 'cuda' or (device_choice == 'auto' and torch.cuda.is_available())
    device = torch.device(f'cuda:{local_rank}' if use_cuda else 'cpu')
    if use_cuda:
        torch.cuda.set_device(device)
    if world_size > 1:
        dist.init_process_group('nccl' if use_cuda else 'gloo')
    return device, rank, world_size


def all_sum(value, world_size):
    if world_size > 1:
        dist.all_reduce(value)
    return value


def save_debug_step(folder, step, loss, lr, named_trainable, batch_paths):
    """Loss, lr, gradients (after the all-reduce and the LoRA block mask) and updated values of the trainable tensors."""
    tensors = {}
    for name, p in named_trainable:
        tensors[f'grad/{timm_name(name)}'] = p.grad.detach().cpu().contiguous()
        tensors[f'value/{timm_name(name)}'] = p.detach().cpu().contiguous()
    save_file(tensors, os.path.join(folder, f'step{step}.safetensors'))
    with open(os.path.join(folder, f'step{step}.json'), 'w') as f:
        json.dump({'step': step, 'loss': loss, 'lr': lr, 'batch': batch_paths}, f)


def build_model(run, export, args):
    """Initialisation (lab setting "initialisation": the run's backbone, or timm's random init), then the method
    (lab setting "method": LoRA via PEFT, full fine-tuning, or linear probe = fc_norm + head only)."""
    vit = export['vit']
    torch.manual_seed(run['seed'])  # the same fresh tensors in every process
    model = build_vit(vit, run['dropPath'])
    backbone = args.backbone or ((export.get('backbone') or {}).get('path') and resolve(export['backbone']['path']))
    if backbone:
        note = load_backbone(model, backbone, args.keep_classifier)
    elif run['initialisation'] == 'random':
        init_classifier(model)
        note = 'random initialisation (timm)'
    else:
        raise SystemExit(f'this run started from a pretrained backbone ({export["backbone"]["fileName"]}): pass --backbone')
    masks = []
    if run['method'] == 'lora':
        model, masks = add_lora(model, run['lora'], vit['depth'], vit['embedDim'], args.adapter)
    elif run['method'] == 'linear':
        for name, p in model.named_parameters():
            p.requires_grad = name.split('.')[0] in ('fc_norm', 'head')
    return model, masks, note


def train_step(ddp, batch, boxes, pipeline, micro_batch, world_size):
    """Forward and backward of this process's rows; returns (sum of the counted BCE terms, their global count).
    Loss = sum over the label entries that count / their count in the whole global batch. Each process's part
    is multiplied by N because DistributedDataParallel averages the gradients of N processes: the result is
    the gradient of the global batch's loss, however the rows are split. Micro-batches accumulate (the lab's
    microBatch); only the last one synchronises."""
    pixels, targets, mask = (t.to(pipeline.device) for t in batch)
    count = all_sum(mask.sum(), world_size).clamp(min=1)
    loss_sum = torch.zeros((), device=pipeline.device)
    micro = micro_batch or len(pixels)
    for start in range(0, len(pixels), micro):
        part = slice(start, start + micro)
        last = start + micro >= len(pixels)
        with ddp.no_sync() if world_size > 1 and not last else contextlib.nullcontext():
            logits = ddp(pipeline.inputs(pixels[part], None if boxes is None else boxes[part]))
            part_sum = masked_bce_sum(logits, targets[part], mask[part])
            (part_sum * world_size / count).backward()
        loss_sum += part_sum.detach()
    return all_sum(loss_sum, world_size), count


def notice_of(export):
    """The lab's "Not for medical use" sentence (config.json export.notice), written into every output file."""
    return export.get('notice', 'Not for medical use.')


def write_adapter(model, folder, export):
    """PEFT's save_pretrained, then the notice added to adapter_config.json as the lab's own adapter export has it
    (PEFT >= 0.13 ignores keys it does not know when loading, with a warning)."""
    model.save_pretrained(folder)
    path = os.path.join(folder, 'adapter_config.json')
    with open(path) as f:
        config = json.load(f)
    config['notice'] = notice_of(export)
    with open(path, 'w') as f:
        json.dump(config, f, indent=2, sort_keys=True)


def write_outputs(out, model, run, export, labels, metrics, params, header):
    """metrics.json (the lab's schema) and merged.safetensors (timm names, metadata as the lab's merged export)."""
    vit = export['vit']
    lab_vit = {k: vit[k] for k in ('imgSize', 'patchSize', 'inChans', 'embedDim', 'depth', 'numHeads', 'mlpRatio', 'layerNormEps', 'numClasses')}
    metadata = {'format': 'pt', 'vitConfig': json.dumps(lab_vit), 'runName': export['name'], 'labels': json.dumps(labels),
                'loraMerged': json.dumps(run['lora']) if run['method'] == 'lora' else 'none', 'notice': notice_of(export)}
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, os.path.join(out, 'merged.safetensors'), metadata)
    with open(os.path.join(out, 'metrics.json'), 'w') as f:
        log = dict(notice=notice_of(export), config=header, labels=labels, steps=metrics['steps'], evaluations=metrics['evaluations'],
                   events=[], params=params, startedAt=metrics['startedAt'])
        if metrics['test'] is not None:
            log['test'] = metrics['test']
        json.dump(log, f, indent=2)


def main():
    args = parse_args()
    with open(args.config) as f:
        run = json.load(f)
    export = run.pop('export')  # what is left is the lab's RunConfig
    labels = export['labels']
    device, rank, world_size = setup_distributed(args.device)
    if run['batchSize'] < world_size:
        raise SystemExit(f'batch size {run["batchSize"]} cannot be shared by {world_size} processes')
    pipeline = Pipeline(run, export, args.workers, device)
    # The split files hold the images the run used: a trainFraction in the config is already applied to train.csv.
    splits = resolve(args.splits or export['splits'])
    rows = {s: read_split(os.path.join(splits, f'{s}.csv'), labels) for s in ('train', 'val', 'test')}
    data = {s: RadiographFiles(args.data, rows[s], export['storageSize']) for s in rows}
    out = args.out or os.path.join('runs', export['name'])
    os.makedirs(out, exist_ok=True)

    model, masks, note = build_model(run, export, args)
    model.to(device).train()
    params = lab_param_count(model, run, export['vit'])
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = make_optimizer(param_groups(trainable, export['vit']['depth'], run), run)
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None) if world_size > 1 else model
    torch.manual_seed(run['seed'] + rank)  # drop-path / LoRA dropout masks: PyTorch's own draws, not the lab's

    steps = min(run['totalSteps'], args.steps_override or run['totalSteps'])
    train_loader = torch.utils.data.DataLoader(
        data['train'], num_workers=args.workers,
        batch_sampler=ShardOfEachBatch(len(data['train']), run['batchSize'], run['seed'], steps, rank, world_size))
    val_indices = evaluation_subset(len(data['val']), run['seed'], run['evalMaxImages']) if len(data['val']) else []
    test_indices = evaluation_subset(len(data['test']), run['seed'], None)  # the whole test split, the lab's order
    if args.debug_dump and rank == 0:
        os.makedirs(args.debug_dump, exist_ok=True)
        save_file({timm_name(n): p.detach().cpu().contiguous() for n, p in trainable}, os.path.join(args.debug_dump, 'initial.safetensors'))

    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    metrics = {'steps': [], 'evaluations': [], 'startedAt': started, 'test': None}
    best = {'record': None, 'step': steps, 'state': None}

    def evaluate_val(step):
        """Lab setting evalEvery / evalMaxImages; keeps the trainable tensors of the best evaluation so far."""
        record = evaluation_record(predict(model, data['val'], val_indices, pipeline, (rank, world_size)), labels, step, 'val')
        metrics['evaluations'].append(record)
        if is_better(record, best['record']):
            best.update(record=record, step=step, state={n: p.detach().clone() for n, p in trainable})
        if rank == 0:
            print(f'step {step}: val loss {record["loss"]}, macro AUROC {record["macroAuroc"]}', flush=True)

    tic = time.perf_counter()  # a step's time includes its wait for data, as the lab's "ms"
    for step_index, (pixels, targets, mask, index) in enumerate(train_loader):
        lr = learning_rate_at(step_index, run)
        for group in optimizer.param_groups:
            group['lr'] = lr * group['lr_scale']
        # Augmentation boxes are drawn for the whole global batch from the lab's generator of this step (seeded by
        # hash_string('step:i', seed)); each process uses the rows it holds.
        step_rand = mulberry32(hash_string(f'step:{step_index}', run['seed']))
        boxes = random_resized_crop_boxes(run['batchSize'], step_rand)[rank::world_size] if run['augment'] else None
        loss_sum, count = train_step(ddp, (pixels, targets, mask), boxes, pipeline, args.micro_batch, world_size)
        for param, block_mask in masks:
            param.grad.mul_(block_mask)  # keeps PEFT's fused qkv adapter in the lab's block form (see add_lora)
        optimizer.step()
        loss = float(loss_sum / count)
        if args.debug_dump and rank == 0 and step_index < args.debug_steps:
            save_debug_step(args.debug_dump, step_index + 1, loss, lr, trainable, [rows['train'][int(i)][0] for i in index])
        optimizer.zero_grad(set_to_none=True)
        step = step_index + 1
        metrics['steps'].append({'step': step, 'loss': loss, 'lr': lr, 'ms': (time.perf_counter() - tic) * 1000})
        if val_indices and run['evalEvery'] > 0 and step % run['evalEvery'] == 0:
            evaluate_val(step)
        tic = time.perf_counter()
    if val_indices and (not metrics['evaluations'] or metrics['evaluations'][-1]['step'] != steps):
        evaluate_val(steps)

    # The study's score: the best validation checkpoint (the last step without a validation split), adapter merged,
    # on the whole test split.
    if best['state'] is not None:
        with torch.no_grad():
            for name, p in trainable:
                p.copy_(best['state'][name])
    if run['method'] == 'lora':
        if rank == 0:
            write_adapter(model, os.path.join(out, 'adapter'), export)
        model = model.merge_and_unload()  # W + (alpha'/R) B A: the lab's merged weights (block B, see add_lora)
    if test_indices:
        predictions = predict(model, data['test'], test_indices, pipeline, (rank, world_size))
        metrics['test'] = test_score(predictions, labels, best['step'], run['seed'])
    if rank == 0:
        import peft
        import timm
        header = dict(run, backend=device.type, microBatch=args.micro_batch or -(-run['batchSize'] // world_size),
                      initialisationNote=f'{note}; PyTorch export, {world_size} process(es), best val step {best["step"]}',
                      runtime={'torch': torch.__version__, 'timm': timm.__version__, 'peft': peft.__version__,
                               'worldSize': world_size, 'device': str(device)})
        write_outputs(out, model, run, export, labels, metrics, params, header)
        print(f'wrote {out}: metrics.json, merged.safetensors{", adapter/" if run["method"] == "lora" else ""}', flush=True)
    if world_size > 1:
        # DDP's reducer must go while the process group is still alive: torch 1.13 can deadlock at exit when the
        # reducer is the last owner of a gloo group (its destructor waits for a thread that waits for the GIL).
        del ddp
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
