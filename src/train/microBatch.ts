/**
 * How many images of a batch one gradient pass may hold at once (see lossAndGradients' microBatch).
 *
 * tfjs keeps every intermediate of a gradient computation until it ends, so a step's memory grows with
 * batch × tokens. The estimate below was fitted to tf.profile peaks of ViT-Ti LoRA training steps on WASM in
 * Chromium (npm run bench: 1,975 MiB at 112 px with 32 images per pass, 1,082 MiB at 224 px with 4, weights
 * included): per image and block, about 134 floats per token-channel (every elementwise op allocates a fresh
 * tensor, and the backward pass again) plus about 6 per attention score.
 */
import type { VitConfig } from '../run/vitConfig';
import { countVitParams } from '../run/paramCount';
import type { Method } from '../run/loraConfig';

const FLOATS_PER_TOKEN_CHANNEL = 134;
const FLOATS_PER_ATTENTION_SCORE = 6;
// A forward pass without a gradient tape (the linear probe's frozen backbone) frees each block's intermediates when
// the block ends (VitModel.pooledFeatures), so only one block's are alive at a time. Fitted to profiles of ViT-Ti
// linear-probe steps on WASM (115 MiB at 112 px and 411 MiB at 224 px for 32 images, weights included: ~77 per
// token-channel) and raised to bound the tiny preset's forward pass on the CPU backend too (~85; unit test).
const FORWARD_FLOATS_PER_TOKEN_CHANNEL = 96;
const FORWARD_FLOATS_PER_ATTENTION_SCORE = 3;
const GIB = 2 ** 30;

/**
 * Activation memory one gradient pass may use on `backend`. WASM's heap ends at 4 GiB and also holds the
 * weights, their gradients and up to two optimizer moments (16 bytes per parameter); WebGL and the CPU backend
 * get the same rule (they run only when WASM cannot). A page cannot see a GPU's memory size, and tfjs's WebGPU
 * buffer pool never shrinks, so WebGPU stays at 2 GiB.
 */
export function activationBudgetBytes(backend: string, cfg: VitConfig): number {
  if (backend === 'webgpu') return 2 * GIB;
  const { backbone, head } = countVitParams(cfg); // backbone includes fc_norm
  return Math.max(0.25 * GIB, Math.min(2.5 * GIB, 3.5 * GIB - 16 * (backbone + head)));
}

/** Estimated bytes of intermediates one image adds to a training step (the backward pass needs all blocks'). */
export function activationBytesPerImage(cfg: VitConfig): number {
  const tokens = (cfg.imgSize / cfg.patchSize) ** 2 + 1;
  const perBlock = FLOATS_PER_TOKEN_CHANNEL * tokens * cfg.embedDim + FLOATS_PER_ATTENTION_SCORE * cfg.numHeads * tokens * tokens;
  return 4 * cfg.depth * perBlock;
}

/** Estimated bytes one image adds to a forward pass without gradients (one block's intermediates at a time). */
export function forwardBytesPerImage(cfg: VitConfig): number {
  const tokens = (cfg.imgSize / cfg.patchSize) ** 2 + 1;
  return 4 * (FORWARD_FLOATS_PER_TOKEN_CHANNEL * tokens * cfg.embedDim + FORWARD_FLOATS_PER_ATTENTION_SCORE * cfg.numHeads * tokens * tokens);
}

/**
 * Images per gradient pass: the whole batch when its estimated activations fit `budgetBytes`, else the fewest
 * passes that fit, with the images spread evenly over them (the last pass may hold fewer). A linear probe keeps
 * no backbone activations for a backward pass (lossAndGradients runs its backbone before the tape starts).
 */
export function chooseMicroBatch(cfg: VitConfig, batch: number, budgetBytes: number, method: Method = 'lora'): number {
  const perImage = method === 'linear' ? forwardBytesPerImage(cfg) : activationBytesPerImage(cfg);
  const fits = Math.max(1, Math.floor(budgetBytes / perImage));
  if (fits >= batch) return batch;
  const passes = Math.ceil(batch / fits);
  return Math.ceil(batch / passes);
}
