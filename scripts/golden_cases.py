"""Golden cases that run the reference ViT: forward/backward per method, optimizer steps, merged weights.

Every reference number is computed in float64 from float32-exact inputs (see golden_io.py).
"""
import torch
import torch.nn.functional as F

from golden_io import int_tensor_json, round9, normal32, random_base_weights, random_lora_weights, tensor_json, tensors_json
from golden_vit import Vit, lora_scaling, named_trainable, split_lora_grads

METHODS = ('lora', 'fft', 'linear')


def lora_spec(cfg_lora):
    """The lab's LoraConfig (PEFT names) -> the reference model's adapter settings."""
    t = cfg_lora['targets']
    return {'qkv': t['qkv'], 'proj': t['proj'], 'fc1': t['fc1'], 'fc2': t['fc2'], 'r': cfg_lora['r'],
            'scaling': lora_scaling(cfg_lora['r'], cfg_lora['lora_alpha'], cfg_lora['use_rslora'])}


def bce(logits, targets, mask=None):
    """torch.nn.BCEWithLogitsLoss (mean); with a mask, the mean over the entries that count."""
    if mask is None:
        return F.binary_cross_entropy_with_logits(logits, targets)
    per = F.binary_cross_entropy_with_logits(logits, targets, reduction='none')
    return (per * mask).sum() / mask.sum()


def build(cfg, lora_cfg, base_weights, lora_weights=None):
    """A float64 reference model holding exactly the given (float32) weights."""
    model = Vit(cfg, lora_spec(lora_cfg) if lora_cfg else None).double()
    with torch.no_grad():
        for k, p in model.base_state().items():
            p.copy_(base_weights[k])
    if lora_weights is not None:
        model.set_lora({k: v.double() for k, v in lora_weights.items()})
    return model


def loss_and_grads(model, method, x, y, mask=None):
    trainable = named_trainable(model, method)
    for name, p in model.named_parameters():
        p.requires_grad_(name in trainable)
        p.grad = None
    logits = model(x)
    loss = bce(logits, y, mask)
    loss.backward()
    grads = split_lora_grads(model, {k: p.grad.detach().clone() for k, p in trainable.items()})
    return logits.detach(), loss.detach(), grads


def random_case(cfg, lora_cfg, batch, channels, seed, embed_scale=1.0):
    """Seeded float32 weights, LoRA tensors, input and targets. embed_scale < 1 shrinks the token embeddings so
    that the first LayerNorm sees a variance near its eps: then eps 1e-6 vs 1e-5 changes the logits visibly."""
    gen = torch.Generator().manual_seed(seed)
    model32 = Vit(cfg, lora_spec(lora_cfg) if lora_cfg else None)
    random_base_weights(model32, gen)
    base = {k: v.detach().clone() for k, v in model32.base_state().items()}
    for k in ('patch_embed.proj.weight', 'patch_embed.proj.bias', 'cls_token', 'pos_embed'):
        base[k] = (base[k] * embed_scale).to(torch.float32)
    lora = None
    if lora_cfg:
        random_lora_weights(model32, gen)
        lora = {k: v.detach().clone() for k, v in model32.lora_state().items()}
    x = normal32(gen, (batch, channels, cfg['imgSize'], cfg['imgSize']), 1.0)
    y = (torch.rand(batch, cfg['numClasses'], generator=gen) < 0.5).to(torch.float32)
    y[0, :] = 1.0  # every label has both classes in the batch
    y[1, :] = 0.0
    mask = (torch.rand(batch, cfg['numClasses'], generator=gen) < 0.75).to(torch.float32)
    mask[0, 0] = 0.0
    return base, lora, x, y, mask


def forward_case(cfg, lora_cfg, batch, channels, seed, extra_lora=(), methods=METHODS, embed_scale=1.0):
    """Logits, loss and gradients of every trainable tensor for LoRA / FFT / linear probe, plus merged weights."""
    base, lora, x, y, mask = random_case(cfg, lora_cfg, batch, channels, seed, embed_scale)
    xd, yd, md = x.double(), y.double(), mask.double()
    out = {'config': cfg, 'lora': lora_cfg, 'weights': tensors_json(base), 'loraTensors': tensors_json(lora),
           'input': tensor_json(x), 'targets': tensor_json(y), 'mask': tensor_json(mask)}

    base_model = build(cfg, None, {k: v.double() for k, v in base.items()})
    lora_model = build(cfg, lora_cfg, {k: v.double() for k, v in base.items()}, lora)
    results = {}
    for method in methods:
        model = lora_model if method == 'lora' else base_model
        logits, loss, grads = loss_and_grads(model, method, xd, yd)
        results[method] = {'logits': tensor_json(logits), 'loss': float(f'{loss.item():.9g}'), 'grads': tensors_json(grads)}
    out['results'] = results

    # The masked loss (entries with mask 0 left out of the mean) and its head gradients.
    logits, loss, grads = loss_and_grads(lora_model, 'linear', xd, yd, md)
    out['masked'] = {'loss': float(f'{loss.item():.9g}'), 'grads': tensors_json(grads)}

    # W' = W + scaling B A for every adapted module (PEFT's get_delta_weight; MergedLinear's merge_AB for qkv).
    merged = {}
    with torch.no_grad():
        for name, mod in lora_model.lora_modules().items():
            merged[f'{name}.weight'] = mod.weight + mod.delta_weight()
    out['merged'] = tensors_json(merged)

    # Singular values (torch.linalg.svd, float64) of each adapter's update scaling * B A, keyed by its lora_B name:
    # by Eckart–Young the best rank-k approximation misses exactly sqrt(sum of the squared tail values).
    scale = lora_spec(lora_cfg)['scaling']
    out['loraSingularValues'] = {
        name: [round9(v) for v in torch.linalg.svd(scale * lora[name].double() @ lora[name.replace('lora_B', 'lora_A')].double(),
                                                   full_matrices=False)[1][:lora_cfg['r']].tolist()]
        for name in lora if '.lora_B' in name}

    # Same adapter tensors under other settings: alpha rescales the update, rsLoRA changes the scaling.
    out['variants'] = []
    for changes in extra_lora:
        cfg_v = {**lora_cfg, **changes}
        model_v = build(cfg, cfg_v, {k: v.double() for k, v in base.items()}, lora)
        logits, loss, grads = loss_and_grads(model_v, 'lora', xd, yd)
        out['variants'].append({'lora': cfg_v, 'logits': tensor_json(logits), 'loss': float(f'{loss.item():.9g}'),
                                'grads': tensors_json(grads)})
    return out


def optimizer_groups(named, depth, layer_decay, weight_decay, lr):
    """Param groups as MAE's util/lr_decay.py param_groups_lrd builds them (rewritten here from its description):
    no weight decay on 1-D tensors, pos_embed and cls_token; layer id 0 for patch_embed / cls_token / pos_embed,
    i + 1 for blocks.i.*, depth + 1 otherwise; lr scale = layer_decay ** (depth + 1 - layer id)."""
    groups = {}
    for name, p in named.items():
        if name in ('cls_token', 'pos_embed') or name.startswith('patch_embed'):
            layer = 0
        elif name.startswith('blocks.'):
            layer = int(name.split('.')[1]) + 1
        else:
            layer = depth + 1
        no_decay = p.ndim == 1 or name in ('pos_embed', 'cls_token')
        scale = layer_decay ** (depth + 1 - layer)
        key = (scale, no_decay)
        g = groups.setdefault(key, {'params': [], 'names': [], 'lr_scale': scale,
                                    'weight_decay': 0.0 if no_decay else weight_decay, 'lr': lr * scale})
        g['params'].append(p)
        g['names'].append(name)
    return list(groups.values())


def optimizer_case(cfg, lora_cfg, batch, channels, seed, settings):
    """Two full optimizer steps (same batch, lr changing between steps as a schedule would) for FFT and LoRA."""
    base, lora, x, y, _ = random_case(cfg, lora_cfg, batch, channels, seed)
    xd, yd = x.double(), y.double()
    out = {'config': cfg, 'lora': lora_cfg, 'weights': tensors_json(base), 'loraTensors': tensors_json(lora),
           'input': tensor_json(x), 'targets': tensor_json(y), 'runs': []}
    for method in ('fft', 'lora'):
        for opt in settings:
            model = build(cfg, lora_cfg if method == 'lora' else None, {k: v.double() for k, v in base.items()}, lora)
            trainable = named_trainable(model, method)
            groups = optimizer_groups(trainable, cfg['depth'], opt['layerDecay'], opt['weightDecay'], opt['lrs'][0])
            if opt['kind'] == 'sgd':
                optim = torch.optim.SGD(groups, lr=opt['lrs'][0], momentum=opt['momentum'])
            else:
                optim = torch.optim.AdamW(groups, lr=opt['lrs'][0], betas=(opt['beta1'], opt['beta2']), eps=opt['eps'])
            after = []
            tiny = {}
            for lr in opt['lrs']:
                for g in optim.param_groups:
                    g['lr'] = lr * g['lr_scale']  # as MAE's adjust_learning_rate
                optim.zero_grad()
                _, _, grads = loss_and_grads(model, method, xd, yd)
                # Gradients that vanish in exact arithmetic (the key bias: softmax ignores a per-query constant)
                # are pure rounding noise in float32; Adam's m / sqrt(v) turns noise into +-lr, so such entries
                # cannot be compared and are listed for the tests to skip.
                for name, g in grads.items():
                    idx = (g.abs() <= 1e-12 * g.abs().max()).reshape(-1).nonzero().reshape(-1).tolist()
                    if idx:
                        tiny.setdefault(name, set()).update(idx)
                optim.step()
                state = split_lora_grads(model, {k: p.detach().clone() for k, p in trainable.items()})
                after.append(tensors_json(state))
            out['runs'].append({'method': method, 'optimizer': {k: v for k, v in opt.items()},
                                'after': after, 'vanishingGradient': {k: sorted(v) for k, v in tiny.items()}})
    return out


def self_check_case(cfg, lora_cfg, batch, seed, scale):
    """A few-KB golden for the start-up self-check: weights and input are small integers times `scale`."""
    gen = torch.Generator().manual_seed(seed)
    model32 = Vit(cfg, lora_spec(lora_cfg))
    random_base_weights(model32, gen)
    random_lora_weights(model32, gen, b_std=0.3)
    q = lambda t: torch.clamp(torch.round(t / scale), -127, 127) * scale  # noqa: E731
    base = {k: q(v.detach()) for k, v in model32.base_state().items()}
    lora = {k: q(v.detach()) for k, v in model32.lora_state().items()}
    x = q(normal32(gen, (batch, 1, cfg['imgSize'], cfg['imgSize']), 1.0))
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0]])[:batch]
    model = build(cfg, lora_cfg, {k: v.double() for k, v in base.items()}, lora)
    base_model = build(cfg, None, {k: v.double() for k, v in base.items()})
    out = {'config': cfg, 'lora': lora_cfg,
           'weights': {k: int_tensor_json(v, scale) for k, v in base.items()},
           'loraTensors': {k: int_tensor_json(v, scale) for k, v in lora.items()},
           'input': int_tensor_json(x, scale), 'targets': int_tensor_json(y, 1.0), 'results': {}}
    for method, m in (('lora', model), ('fft', base_model)):
        logits, loss, grads = loss_and_grads(m, method, x.double(), y.double())
        out['results'][method] = {'logits': tensor_json(logits, 7), 'loss': float(f'{loss.item():.7g}'),
                                  'grads': tensors_json(grads, 5)}
    return out
