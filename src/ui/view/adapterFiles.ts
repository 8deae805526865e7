/**
 * Which files "Import adapter (PEFT)" accepts: a PEFT adapter as HF saves it (save_pretrained writes
 * adapter_config.json + adapter_model.safetensors) or those two files zipped. Pure; tested in tests/ui/adapterFiles.test.ts.
 */

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_ACCEPT = '.zip,.json,.safetensors';

function isZip(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}

/** Why this choice of files cannot be an adapter; undefined when it can. */
export function adapterFilesProblem(names: readonly string[]): string | undefined {
  if (names.length === 0) return 'No file chosen.';
  if (names.length === 1 && isZip(names[0])) return undefined;
  if (names.some(isZip)) return 'Choose either one .zip or the two adapter files, not both.';
  const missing = [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE].filter((f) => !names.includes(f));
  const extra = names.filter((n) => n !== ADAPTER_CONFIG_FILE && n !== ADAPTER_WEIGHTS_FILE);
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${missing.join(' and ')}`);
  if (extra.length > 0) parts.push(`unexpected ${extra.join(', ')}`);
  return `A PEFT adapter is a .zip or the two files ${ADAPTER_CONFIG_FILE} + ${ADAPTER_WEIGHTS_FILE} (${parts.join('; ')}).`;
}
