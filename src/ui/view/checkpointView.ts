/**
 * What the model panel says about a loaded checkpoint: which preset its architecture is (if any), the inferred
 * numbers otherwise, and the loading progress. Pure; tested in tests/ui/checkpointView.test.ts.
 */
import { VIT_PRESETS, type VitPresetName } from '../../run/vitConfig';
import { formatCount } from './format';
import type { CheckpointInfo, CheckpointProgress } from '../../run/modelFiles';
import { PRESET_LABELS } from './labels';

export type CheckpointArch = CheckpointInfo['arch'];

const ARCH_KEYS: (keyof CheckpointArch)[] = ['imgSize', 'patchSize', 'embedDim', 'depth', 'numHeads'];

/** The preset with exactly this architecture; undefined when none matches (the worker then builds it as inferred). */
export function presetForArch(arch: CheckpointArch): VitPresetName | undefined {
  return (Object.keys(VIT_PRESETS) as VitPresetName[]).find((name) => ARCH_KEYS.every((k) => VIT_PRESETS[name][k] === arch[k]));
}

/** "224 px input, patch 16, width 768, 12 blocks, 12 heads". */
export function describeArch(arch: CheckpointArch): string {
  return `${arch.imgSize} px input, patch ${arch.patchSize}, width ${arch.embedDim}, ${arch.depth} blocks, ${arch.numHeads} heads`;
}

/** "12.3 MB" in decimal units (as file managers show file sizes). */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 0)) return '? B';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Fraction done by bytes (tensors differ hugely in size); by tensors when the byte total is unknown. */
export function progressFraction(p: CheckpointProgress): number {
  if (p.bytesTotal > 0) return Math.min(1, p.bytesDone / p.bytesTotal);
  if (p.tensorsTotal > 0) return Math.min(1, p.tensorsDone / p.tensorsTotal);
  return 0;
}

/** "40 of 152 tensors · 88 MB of 344 MB · blocks.3.attn.qkv.weight". */
export function progressText(p: CheckpointProgress): string {
  const tensors = `${formatCount(p.tensorsDone)} of ${formatCount(p.tensorsTotal)} tensors`;
  const bytes = p.bytesTotal > 0 ? ` · ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : '';
  return `${tensors}${bytes}${p.current ? ` · ${p.current}` : ''}`;
}

/** The option text for a cached checkpoint: file name and architecture. */
export function checkpointLabel(info: CheckpointInfo): string {
  const preset = presetForArch(info.arch);
  return `${info.fileName} (${preset ? PRESET_LABELS[preset] : describeArch(info.arch)})`;
}
