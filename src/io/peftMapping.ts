/**
 * The exact mapping between the lab's LoRA on parts of the fused qkv and HF PEFT's LoRA on whole Linears.
 *
 * PEFT adds scaling' * B A to a module's whole weight; the lab adds scaling * B_p A_p to the rows of each
 * adapted part p (q rows 0:D, k rows D:2D, v rows 2D:3D). With m adapted parts of rank r each:
 *   A = [A_p1; A_p2; ...]                         [m r, D]   (part j's rows j r : (j+1) r)
 *   B = block matrix [3D, m r]: B_pj in rows of pj, columns j r : (j+1) r; zeros elsewhere (e.g. all K rows)
 *   R = m r,  lora_alpha' = m alpha (so alpha'/R = alpha/r),  rsLoRA: alpha' = sqrt(m) alpha (alpha'/sqrt R = alpha/sqrt r)
 * Then B A = sum_j (B_pj A_pj placed in its rows), so PEFT's merged weight equals the lab's exactly.
 * Import inverts it; an adapter not in that block form (e.g. trained by PEFT itself) is taken exactly as
 * A_p = A, B_p = B[rows of p] with rank R for every adapted part, provided the rows of parts the lab does
 * not adapt are zero.
 */
import type { HostTensor } from '../formats/safetensors';
import type { QkvPart } from '../run/loraConfig';

export const QKV_ORDER: QkvPart[] = ['q', 'k', 'v'];

export function orderedParts(parts: QkvPart[]): QkvPart[] {
  return QKV_ORDER.filter((p) => parts.includes(p));
}

/** PEFT's lora_alpha for a fused module holding `m` lab parts with the lab's alpha. */
export function fusedAlpha(alpha: number, m: number, useRslora: boolean): number {
  return useRslora ? Math.sqrt(m) * alpha : m * alpha;
}

/** Lab per-part pairs -> one PEFT pair on the fused qkv. A_p: [r, D], B_p: [D, r]. */
export function fuseQkv(pairs: Map<QkvPart, { a: HostTensor; b: HostTensor }>, dim: number): { a: HostTensor; b: HostTensor } {
  const parts = orderedParts([...pairs.keys()]);
  const r = pairs.get(parts[0])!.a.shape[0];
  const rank = parts.length * r;
  const a = new Float32Array(rank * dim);
  const b = new Float32Array(3 * dim * rank);
  parts.forEach((part, j) => {
    const pair = pairs.get(part)!;
    if (pair.a.shape.join() !== `${r},${dim}` || pair.b.shape.join() !== `${dim},${r}`) {
      throw new Error(`LoRA pair for ${part} has shapes [${pair.a.shape}] / [${pair.b.shape}], expected [${r},${dim}] / [${dim},${r}]`);
    }
    a.set(pair.a.data, j * r * dim);
    const rowOffset = QKV_ORDER.indexOf(part) * dim;
    for (let i = 0; i < dim; i++) {
      for (let c = 0; c < r; c++) b[(rowOffset + i) * rank + j * r + c] = pair.b.data[i * r + c];
    }
  });
  return { a: { shape: [rank, dim], data: a }, b: { shape: [3 * dim, rank], data: b } };
}

function rowsAreZero(b: HostTensor, rowStart: number, rows: number): boolean {
  const rank = b.shape[1];
  for (let k = rowStart * rank; k < (rowStart + rows) * rank; k++) if (b.data[k] !== 0) return false;
  return true;
}

/** Is B block-diagonal in the export layout for these parts (part j uses only columns j r : (j+1) r)? */
function isBlockLayout(b: HostTensor, parts: QkvPart[], dim: number): boolean {
  const rank = b.shape[1];
  if (rank % parts.length !== 0) return false;
  const r = rank / parts.length;
  return parts.every((part, j) => {
    const rowOffset = QKV_ORDER.indexOf(part) * dim;
    for (let i = 0; i < dim; i++) {
      for (let c = 0; c < rank; c++) {
        const inBlock = c >= j * r && c < (j + 1) * r;
        if (!inBlock && b.data[(rowOffset + i) * rank + c] !== 0) return false;
      }
    }
    return true;
  });
}

export interface SplitQkv {
  r: number;
  /** the fused rank R over the lab's rank r: m for the block layout, 1 for a dense adapter */
  rankFactor: number;
  pairs: Map<QkvPart, { a: HostTensor; b: HostTensor }>;
}

/** One PEFT pair on the fused qkv -> lab per-part pairs (see the file comment). */
export function splitQkv(a: HostTensor, b: HostTensor, parts: QkvPart[], dim: number, module: string): SplitQkv {
  const ordered = orderedParts(parts);
  const rank = a.shape[0];
  if (a.shape.join() !== `${rank},${dim}` || b.shape.join() !== `${3 * dim},${rank}`) {
    throw new Error(`${module}: lora_A [${a.shape}] / lora_B [${b.shape}] do not fit a fused qkv of width ${dim}`);
  }
  for (const part of QKV_ORDER) {
    if (!ordered.includes(part) && !rowsAreZero(b, QKV_ORDER.indexOf(part) * dim, dim)) {
      throw new Error(
        `${module}: the adapter changes the ${part.toUpperCase()} rows of qkv, but this model adapts only ` +
          `${ordered.map((p) => p.toUpperCase()).join(', ')}; choose ${part.toUpperCase()} as a LoRA target to import it`,
      );
    }
  }
  const block = isBlockLayout(b, ordered, dim);
  const r = block ? rank / ordered.length : rank;
  const pairs = new Map<QkvPart, { a: HostTensor; b: HostTensor }>();
  ordered.forEach((part, j) => {
    const col0 = block ? j * r : 0;
    const aPart = block ? a.data.slice(j * r * dim, (j + 1) * r * dim) : a.data.slice();
    const bPart = new Float32Array(dim * r);
    const rowOffset = QKV_ORDER.indexOf(part) * dim;
    for (let i = 0; i < dim; i++) {
      for (let c = 0; c < r; c++) bPart[i * r + c] = b.data[(rowOffset + i) * rank + col0 + c];
    }
    pairs.set(part, { a: { shape: [r, dim], data: aPart }, b: { shape: [dim, r], data: bPart } });
  });
  return { r, rankFactor: block ? ordered.length : 1, pairs };
}
