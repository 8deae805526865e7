/**
 * The fine-tuned model as one timm-named safetensors file: every parameter, with a LoRA adapter folded in
 * (W' = W + scaling B A, PEFT's merge rule), and the config in `__metadata__` so that loadBackbone
 * (keepClassifier) or timm's `load_state_dict` reopen it, and "Not for medical use" (src/run/notice.ts) beside it.
 * The model itself is left as it was.
 */
import * as tf from '@tensorflow/tfjs';
import type { VitModel } from '../model/vit';
import { writeSafetensors } from '../formats/safetensors';
import { NOT_FOR_MEDICAL_USE } from '../run/notice';

export interface MergedExportInfo {
  runName: string;
  /** free-form provenance: backbone, method, labels... (stored as strings) */
  extra?: Record<string, string>;
}

export async function exportMergedModel(model: VitModel, info: MergedExportInfo): Promise<{ fileName: string; bytes: Uint8Array<ArrayBuffer> }> {
  const tensors = new Map<string, tf.Tensor>();
  const owned: tf.Tensor[] = [];
  const lora = model.lora && !model.merged ? model.lora : null;
  const adapted = new Set(lora?.modules() ?? []);
  try {
    for (const [name, value] of model.params) {
      const module = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : null;
      if (lora && module && adapted.has(module)) {
        const merged = tf.tidy(() => tf.add(value, lora.deltaWeight(module, value.shape[0])));
        owned.push(merged);
        tensors.set(name, merged);
      } else {
        tensors.set(name, value);
      }
    }
    const { numClasses, ...arch } = model.cfg;
    const metadata: Record<string, string> = {
      format: 'pt',
      vitConfig: JSON.stringify({ ...arch, numClasses }),
      runName: info.runName,
      loraMerged: lora ? JSON.stringify(lora.config) : model.merged ? 'already merged' : 'none',
      ...(info.extra ?? {}),
      notice: NOT_FOR_MEDICAL_USE,
    };
    const bytes = await writeSafetensors(tensors, metadata);
    return { fileName: `${info.runName.replace(/[^\w.-]+/g, '_')}-merged.safetensors`, bytes };
  } finally {
    for (const t of owned) t.dispose();
  }
}
