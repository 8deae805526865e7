/**
 * LoRA adapters on the ViT's linear layers, as HF PEFT's LoraLayer / microsoft/LoRA's MergedLinear:
 * y = base(x) + scaling * B(A(dropout(x))), scaling = lora_alpha / r (rsLoRA: lora_alpha / sqrt r),
 * A [r, in] Kaiming-uniform(a = sqrt 5), B [out, r] zeros, so an untrained adapter leaves the model unchanged.
 * On the fused qkv each adapted part (q, k, v) has its own A/B pair acting on its third of the output rows.
 */
import * as tf from '@tensorflow/tfjs';
import { type VitConfig } from '../run/vitConfig';
import { mat, truncatedFactors } from './lowRank';
import { loraScaling, validateLoraConfig, type LoraConfig } from '../run/loraConfig';
import { type LoraSite, loraSites, loraTensorName } from '../run/paramShapes';

/** torch.nn.init.kaiming_uniform_(a=sqrt(5)) on a [rows, fanIn] weight: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function kaimingUniformA(rows: number, fanIn: number, seed: number): tf.Tensor2D {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.randomUniform([rows, fanIn], -bound, bound, 'float32', seed) as tf.Tensor2D;
}

/** How one tensor changed shape on a rank change, so optimizer state can follow it. */
export interface LoraResizeChange {
  name: string;
  kind: 'grow' | 'shrink';
  /** axis that grew (A: 0 = rows, B: 1 = columns) */
  axis: 0 | 1;
  oldSize: number;
  newSize: number;
  /** the kept part of the tensor was multiplied by this factor (B is rescaled to keep the output fixed) */
  keptScale: number;
}

export class LoraAdapter {
  readonly sites: LoraSite[];
  readonly tensors = new Map<string, tf.Variable>();
  config: LoraConfig;

  private constructor(vitCfg: VitConfig, config: LoraConfig) {
    validateLoraConfig(config);
    this.config = { ...config, targets: { ...config.targets, qkv: [...config.targets.qkv] } };
    this.sites = loraSites(vitCfg, config);
  }

  static create(vitCfg: VitConfig, config: LoraConfig, seed: number): LoraAdapter {
    const adapter = new LoraAdapter(vitCfg, config);
    adapter.sites.forEach((site, k) => {
      // tf.variable keeps its own reference to the data, so the initial tensors are released right away
      const a = kaimingUniformA(config.r, site.inFeatures, seed * 7919 + k);
      const b = tf.zeros([site.outFeatures, config.r]);
      adapter.tensors.set(loraTensorName(site, 'lora_A'), tf.variable(a));
      adapter.tensors.set(loraTensorName(site, 'lora_B'), tf.variable(b));
      tf.dispose([a, b]);
    });
    return adapter;
  }

  /** Wraps given tensors (takes ownership); shapes are checked against the config. */
  static fromTensors(vitCfg: VitConfig, config: LoraConfig, tensors: Map<string, tf.Tensor>): LoraAdapter {
    const adapter = new LoraAdapter(vitCfg, config);
    for (const site of adapter.sites) {
      const expected: [string, number[]][] = [
        [loraTensorName(site, 'lora_A'), [config.r, site.inFeatures]],
        [loraTensorName(site, 'lora_B'), [site.outFeatures, config.r]],
      ];
      for (const [name, shape] of expected) {
        const t = tensors.get(name);
        if (!t) throw new Error(`LoRA tensor ${name} is missing`);
        if (t.shape.join('x') !== shape.join('x')) throw new Error(`LoRA tensor ${name} has shape [${t.shape}], expected [${shape}]`);
        adapter.tensors.set(name, t instanceof tf.Variable ? t : tf.variable(t));
        // the variable holds its own reference to the data: release the caller's tensor (ownership was taken)
        if (!(t instanceof tf.Variable)) t.dispose();
      }
    }
    return adapter;
  }

  get scaling(): number {
    return loraScaling(this.config);
  }

  get r(): number {
    return this.config.r;
  }

  sitesOf(module: string): LoraSite[] {
    return this.sites.filter((s) => s.module === module);
  }

  modules(): string[] {
    return [...new Set(this.sites.map((s) => s.module))];
  }

  a(site: LoraSite): tf.Variable {
    return this.tensors.get(loraTensorName(site, 'lora_A'))!;
  }

  b(site: LoraSite): tf.Variable {
    return this.tensors.get(loraTensorName(site, 'lora_B'))!;
  }

  /**
   * All adapters of a module in one low-rank product, [M, in] -> [M, outTotal]: scaling * (x A_cat^T) B_cat^T,
   * where A_cat stacks the sites' A and B_cat holds each site's B in its own rows and rank columns (zeros
   * elsewhere), so each site adds scaling * (x A^T) B^T to its own rows only (x: dropout already applied).
   * One product instead of one per site avoids splitting and re-concatenating the [M, outTotal] activation
   * (the fused qkv's q and v thirds).
   */
  applyModule(module: string, x: tf.Tensor2D, outTotal: number): tf.Tensor2D {
    const sites = [...this.sitesOf(module)].sort((a, b) => a.rowOffset - b.rowOffset);
    if (sites.length === 0) throw new Error(`no LoRA adapter on ${module}`);
    const r = this.r;
    const n = sites.length;
    const aCat = n === 1 ? this.a(sites[0]) : tf.concat(sites.map((s) => this.a(s)), 0); // [n r, in]
    const rowBlocks: tf.Tensor2D[] = [];
    let row = 0;
    for (const [i, site] of sites.entries()) {
      if (site.rowOffset > row) rowBlocks.push(tf.zeros([site.rowOffset - row, n * r]));
      const cols: tf.Tensor2D[] = [];
      if (i > 0) cols.push(tf.zeros([site.outFeatures, i * r]));
      cols.push(this.b(site) as tf.Tensor2D);
      if (i < n - 1) cols.push(tf.zeros([site.outFeatures, (n - 1 - i) * r]));
      rowBlocks.push(cols.length === 1 ? cols[0] : tf.concat(cols, 1));
      row = site.rowOffset + site.outFeatures;
    }
    if (row < outTotal) rowBlocks.push(tf.zeros([outTotal - row, n * r]));
    const bCat = rowBlocks.length === 1 ? rowBlocks[0] : tf.concat(rowBlocks, 0); // [outTotal, n r]
    // Scaling folded into B: one multiply of [outTotal, n r] instead of one of [M, outTotal].
    const down = tf.matMul(x, aCat, false, true); // [M, n r]
    return tf.matMul(down, tf.mul(bCat, this.scaling), false, true);
  }

  /** PEFT's get_delta_weight: scaling * B A for every site of a module, placed in its rows; [outTotal, in]. */
  deltaWeight(module: string, outTotal: number): tf.Tensor2D {
    return tf.tidy(() => {
      const sites = this.sitesOf(module);
      if (sites.length === 0) throw new Error(`no LoRA adapter on ${module}`);
      const inF = sites[0].inFeatures;
      const blocks: tf.Tensor2D[] = [];
      let row = 0;
      for (const site of sites) {
        if (site.rowOffset > row) blocks.push(tf.zeros([site.rowOffset - row, inF]));
        blocks.push(tf.mul(tf.matMul(this.b(site), this.a(site)), this.scaling));
        row = site.rowOffset + site.outFeatures;
      }
      if (row < outTotal) blocks.push(tf.zeros([outTotal - row, inF]));
      return tf.concat(blocks, 0);
    });
  }

  /** Alpha rescales the update (scaling = alpha / r): the learned A and B stay as they are. */
  setAlpha(alpha: number): void {
    const next = { ...this.config, lora_alpha: alpha };
    validateLoraConfig(next);
    this.config = next;
  }

  /**
   * Change the rank while keeping what was learned.
   * Growing: A gets fresh Kaiming rows, B zero columns, and B's kept columns are multiplied by
   * old scaling / new scaling so that scaling * B A — the model's output — is unchanged.
   * Shrinking: the learned update scaling * B A is replaced by its best rank-r approximation (truncated SVD),
   * with A' = V_r^T (orthonormal rows) and B' = U_r S_r * old scaling / new scaling.
   */
  async resize(newR: number, seed: number): Promise<LoraResizeChange[]> {
    const oldR = this.config.r;
    if (newR === oldR) return [];
    const oldScaling = this.scaling;
    const next = { ...this.config, r: newR };
    validateLoraConfig(next);
    const newScaling = loraScaling(next);
    const keptScale = oldScaling / newScaling;
    const changes: LoraResizeChange[] = [];
    for (const [k, site] of this.sites.entries()) {
      const nameA = loraTensorName(site, 'lora_A');
      const nameB = loraTensorName(site, 'lora_B');
      const oldA = this.a(site);
      const oldB = this.b(site);
      let newA: tf.Tensor;
      let newB: tf.Tensor;
      if (newR > oldR) {
        const fresh = kaimingUniformA(newR - oldR, site.inFeatures, seed * 7919 + k);
        newA = tf.concat([oldA, fresh], 0);
        fresh.dispose();
        newB = tf.tidy(() => tf.concat([tf.mul(oldB, keptScale), tf.zeros([site.outFeatures, newR - oldR])], 1));
      } else {
        const [bData, aData] = await Promise.all([oldB.data(), oldA.data()]);
        const f = truncatedFactors(mat(site.outFeatures, oldR, bData), mat(oldR, site.inFeatures, aData), newR);
        const bScaled = f.b.data.map((v) => v * keptScale);
        newB = tf.tensor2d(Float32Array.from(bScaled), [site.outFeatures, newR]);
        newA = tf.tensor2d(Float32Array.from(f.a.data), [newR, site.inFeatures]);
      }
      const kind = newR > oldR ? 'grow' : 'shrink';
      changes.push({ name: nameA, kind, axis: 0, oldSize: oldR, newSize: newR, keptScale: newR > oldR ? 1 : NaN });
      changes.push({ name: nameB, kind, axis: 1, oldSize: oldR, newSize: newR, keptScale: newR > oldR ? keptScale : NaN });
      this.tensors.set(nameA, tf.variable(newA));
      this.tensors.set(nameB, tf.variable(newB));
      newA.dispose();
      newB.dispose();
      oldA.dispose();
      oldB.dispose();
    }
    this.config = next;
    return changes;
  }

  parameterCount(): number {
    return this.sites.reduce((n, s) => n + this.config.r * (s.inFeatures + s.outFeatures), 0);
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
