/**
 * Vision Transformer (Dosovitskiy et al. 2021) in timm's layout, on plain tfjs ops:
 * patch embedding -> [CLS] + tokens + pos_embed -> blocks (pre-norm attention and MLP) ->
 * global average pool over patch tokens (CLS excluded) -> fc_norm -> head, as MAE/MRM fine-tuning does.
 * Parameters are tf.Variables keyed by timm's names; LoRA lives beside them in a LoraAdapter.
 */
import * as tf from '@tensorflow/tfjs';
import { numPatches, validateVitConfig, type VitConfig } from '../run/vitConfig';
import { dropPath, gelu, layerNorm, linear, patchify } from './layers';
import type { LoraAdapter } from './lora';
import { vitParamShapes } from '../run/paramShapes';

export interface ForwardOptions {
  /** Enables drop-path and LoRA dropout. */
  training?: boolean;
  /** Stochastic-depth rate of the last block; block i uses rate * i / (depth - 1) (timm's linear rule). */
  dropPathRate?: number;
  /**
   * Seeds every random draw of the pass (drop-path, LoRA dropout), so a training step can be replayed exactly (a
   * resumed run); unset, tfjs draws from its global generator.
   */
  seed?: number;
}

/** The seed of draw `draw` of block `block` in a pass seeded `seed`: fixed per (seed, block, draw). */
function drawSeed(seed: number | undefined, block: number, draw: number): number | undefined {
  return seed === undefined ? undefined : ((seed >>> 0) * 64 + block * 8 + draw) % 2147483647;
}

export class VitModel {
  readonly cfg: VitConfig;
  readonly params = new Map<string, tf.Variable>();
  lora: LoraAdapter | null = null;
  /** True while the adapter's update is folded into the base weights (forward then skips the adapter). */
  merged = false;

  /** Takes ownership of `params`; every name and shape must match the config. */
  constructor(cfg: VitConfig, params: Map<string, tf.Tensor>) {
    validateVitConfig(cfg);
    this.cfg = cfg;
    for (const [name, shape] of vitParamShapes(cfg)) {
      const t = params.get(name);
      if (!t) throw new Error(`parameter ${name} is missing`);
      if (t.shape.join('x') !== shape.join('x')) throw new Error(`parameter ${name} has shape [${t.shape}], expected [${shape}]`);
      this.params.set(name, t instanceof tf.Variable ? t : tf.variable(t));
      if (!(t instanceof tf.Variable)) t.dispose();
    }
    for (const name of params.keys()) if (!this.params.has(name)) throw new Error(`unexpected parameter ${name}`);
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  /** x: [B, C, H, W] normalised (NCHW as PyTorch); C = 1 stands for grayscale replicated to inChans. -> logits [B, K] */
  forward(x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.classify(this.pooledFeatures(x, opts)));
  }

  /** fc_norm -> head on pooled features [B, D] -> logits [B, K]. */
  classify(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const normed = layerNorm(pooled, this.p('fc_norm.weight'), this.p('fc_norm.bias'), this.cfg.layerNormEps);
      return linear(normed, this.p('head.weight'), this.p('head.bias'));
    });
  }

  /** The backbone up to the global average pool over patch tokens: [B, C, H, W] -> [B, D]. */
  pooledFeatures(x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.backbone(x, opts, false).pooled);
  }

  /**
   * Logits plus every block's attention probabilities (softmax over keys), for saliency (attention rollout).
   * attention[i]: [B, heads, T, T], T = N + 1 with the CLS token first. The plain forward never collects them.
   */
  forwardWithAttention(x: tf.Tensor4D): { logits: tf.Tensor2D; attention: tf.Tensor4D[] } {
    return tf.tidy(() => {
      const { pooled, attention } = this.backbone(x, {}, true);
      return { logits: this.classify(pooled), attention };
    });
  }

  /** Blocks and pool; with `keepAttention` each block's attention probabilities are returned too. */
  private backbone(x: tf.Tensor4D, opts: ForwardOptions, keepAttention: boolean): { pooled: tf.Tensor2D; attention: tf.Tensor4D[] } {
    const { cfg } = this;
    const [batch, channels, h, w] = x.shape;
    if (h !== cfg.imgSize || w !== cfg.imgSize) throw new Error(`input is ${h}x${w}, model expects ${cfg.imgSize}x${cfg.imgSize}`);
    if (channels !== cfg.inChans && channels !== 1) throw new Error(`input has ${channels} channels, model expects ${cfg.inChans} (or 1)`);
    const tokens = this.embed(x); // [B, T, D]
    const t = tokens.shape[1];
    let hidden = tf.reshape(tokens, [batch * t, cfg.embedDim]) as tf.Tensor2D; // [B*T, D]
    const attention: tf.Tensor4D[] = [];
    for (let i = 0; i < cfg.depth; i++) {
      const rate = opts.training && opts.dropPathRate ? (opts.dropPathRate * i) / Math.max(1, cfg.depth - 1) : 0;
      const input = hidden;
      // One scope per block: its intermediates are released when the block ends instead of when the whole forward
      // pass does. Under a gradient tape the tensors the backward pass needs are kept by the tape itself.
      // The attention probabilities leave the scope only when asked for (they exist either way).
      const out = tf.tidy(() => {
        const r = this.block(i, input, batch, t, opts.training ?? false, rate, opts.seed);
        return keepAttention ? r : r.out;
      });
      if (out instanceof tf.Tensor) hidden = out;
      else {
        hidden = out.out;
        attention.push(out.attn);
      }
    }
    const pooled = tf.mean(tf.slice(tf.reshape(hidden, [batch, t, cfg.embedDim]), [0, 1, 0], [batch, t - 1, cfg.embedDim]), 1) as tf.Tensor2D; // [B, D]
    return { pooled, attention };
  }

  /** Patch embedding + CLS token + position embedding: [B, C, H, W] -> [B, N + 1, D]. */
  private embed(x: tf.Tensor4D): tf.Tensor3D {
    const { cfg } = this;
    const batch = x.shape[0];
    const d = cfg.embedDim;
    const n = numPatches(cfg);
    let weight: tf.Tensor = this.p('patch_embed.proj.weight'); // [D, C, P, P]
    // Grayscale replicated to C identical channels: the conv over them equals a conv with the channel-summed kernel.
    if (x.shape[1] === 1 && cfg.inChans > 1) weight = tf.sum(weight, 1, true);
    const c = x.shape[1];
    const patches = patchify(x, cfg.patchSize); // [B*N, C*P*P]
    const emb = linear(patches, tf.reshape(weight, [d, c * cfg.patchSize * cfg.patchSize]), this.p('patch_embed.proj.bias')); // [B*N, D]
    const cls = tf.tile(this.p('cls_token'), [batch, 1, 1]); // [B, 1, D]
    const seq = tf.concat([cls, tf.reshape(emb, [batch, n, d])], 1); // [B, N+1, D]
    return tf.add(seq, this.p('pos_embed')) as tf.Tensor3D;
  }

  /** A linear layer plus the LoRA adapters on it (unless merged). x: [M, in] -> [M, out]. */
  private adaptedLinear(module: string, x: tf.Tensor2D, training: boolean, seed?: number): tf.Tensor2D {
    const base = linear(x, this.p(`${module}.weight`), this.p(`${module}.bias`));
    const sites = this.lora && !this.merged ? this.lora.sitesOf(module) : [];
    if (sites.length === 0) return base;
    const rate = training ? this.lora!.config.lora_dropout : 0;
    const xd = rate > 0 ? (tf.dropout(x, rate, undefined, seed) as tf.Tensor2D) : x;
    // One dropout mask for all sites of the module, as PEFT's fused-qkv LoRA (MergedLinear) applies it.
    return tf.add(base, this.lora!.applyModule(module, xd, base.shape[1])) as tf.Tensor2D;
  }

  /** One pre-norm transformer block on flattened tokens x: [B*T, D] -> out [B*T, D], attn [B, H, T, T] (probabilities). */
  private block(i: number, x: tf.Tensor2D, batch: number, t: number, training: boolean, dropPathRate: number, seed?: number): { out: tf.Tensor2D; attn: tf.Tensor4D } {
    const { cfg } = this;
    const d = cfg.embedDim;
    const heads = cfg.numHeads;
    const hd = d / heads;
    const pre = `blocks.${i}`;
    const xn = layerNorm(x, this.p(`${pre}.norm1.weight`), this.p(`${pre}.norm1.bias`), cfg.layerNormEps);
    const qkv = this.adaptedLinear(`${pre}.attn.qkv`, xn, training, drawSeed(seed, i, 0)); // [B*T, 3D]
    // [B*T, 3D] -> three [B*T, D] -> [B, T, H, hd] -> [B, H, T, hd]. Rank-4 transposes rather than one rank-5
    // [2, 0, 3, 1, 4]: tfjs-wasm's rank-5 transpose took 100 ms per call here against < 1 ms for these.
    const [q, k, v] = (tf.split(qkv, 3, 1) as tf.Tensor2D[]).map((m) =>
      tf.transpose(tf.reshape(m, [batch, t, heads, hd]), [0, 2, 1, 3]),
    ) as tf.Tensor4D[];
    const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [B, H, T, T]
    const attn = tf.softmax(scores, -1) as tf.Tensor4D; // [B, H, T, T]
    const ctx = tf.matMul(attn, v); // [B, H, T, hd]
    const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [batch * t, d]) as tf.Tensor2D; // [B*T, D]
    let attnOut = this.adaptedLinear(`${pre}.attn.proj`, merged, training, drawSeed(seed, i, 1));
    if (dropPathRate > 0) attnOut = tf.reshape(dropPath(tf.reshape(attnOut, [batch, t, d]), dropPathRate, drawSeed(seed, i, 2)), [batch * t, d]);
    const h = tf.add(x, attnOut) as tf.Tensor2D;
    const hn = layerNorm(h, this.p(`${pre}.norm2.weight`), this.p(`${pre}.norm2.bias`), cfg.layerNormEps);
    const fc1 = this.adaptedLinear(`${pre}.mlp.fc1`, hn, training, drawSeed(seed, i, 3));
    let mlpOut = this.adaptedLinear(`${pre}.mlp.fc2`, gelu(fc1), training, drawSeed(seed, i, 4));
    if (dropPathRate > 0) mlpOut = tf.reshape(dropPath(tf.reshape(mlpOut, [batch, t, d]), dropPathRate, drawSeed(seed, i, 5)), [batch * t, d]);
    return { out: tf.add(h, mlpOut), attn };
  }

  /**
   * Fold the adapter into the base weights (W' = W + scaling B A), refusing non-finite results as PEFT's safe_merge.
   * Async: the check reads the merged weights back with data(), as a GPU backend needs (see below).
   */
  async mergeLora(): Promise<void> {
    if (!this.lora || this.merged) return;
    for (const module of this.lora.modules()) {
      const w = this.p(`${module}.weight`);
      const next = tf.tidy(() => tf.add(w, this.lora!.deltaWeight(module, w.shape[0])));
      // Checked on the CPU, not with tf.isFinite: WGSL lets a shader compiler assume no NaN or infinity exists, and
      // tfjs-webgpu's isFinite under SwiftShader called finite weights non-finite. Read with data(), not dataSync():
      // tfjs-webgpu's synchronous read goes through an OffscreenCanvas, after which Chromium destroyed the device.
      // (Workarounds for tfjs 4.22; once per scoring, not per step.)
      const finite = ((await next.data()) as Float32Array).every(Number.isFinite);
      if (!finite) {
        next.dispose();
        throw new Error(`merging the adapter into ${module} gives non-finite weights`);
      }
      w.assign(next);
      next.dispose();
    }
    this.merged = true;
  }

  /** Undo mergeLora (W = W' - scaling B A) so training of the adapter can go on. */
  unmergeLora(): void {
    if (!this.lora || !this.merged) return;
    for (const module of this.lora.modules()) {
      const w = this.p(`${module}.weight`);
      const next = tf.tidy(() => tf.sub(w, this.lora!.deltaWeight(module, w.shape[0])));
      w.assign(next);
      next.dispose();
    }
    this.merged = false;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    this.lora?.dispose();
    this.lora = null;
  }
}
