import { describe, expect, it } from 'vitest';
import { adapterFilesProblem } from '../../src/ui/view/adapterFiles';

describe('adapterFilesProblem', () => {
  it.each([
    [['run-lora-adapter.zip']],
    [['ADAPTER.ZIP']],
    [['adapter_config.json', 'adapter_model.safetensors']],
    [['adapter_model.safetensors', 'adapter_config.json']],
  ])('accepts %j', (names) => {
    expect(adapterFilesProblem(names)).toBeUndefined();
  });
  it.each([
    [[], /No file chosen/],
    [['adapter_config.json'], /missing adapter_model\.safetensors/],
    [['adapter_model.safetensors'], /missing adapter_config\.json/],
    [['model.safetensors'], /missing adapter_config\.json and adapter_model\.safetensors; unexpected model\.safetensors/],
    [['adapter_config.json', 'adapter_model.safetensors', 'README.md'], /unexpected README\.md/],
    [['a.zip', 'b.zip'], /either one \.zip or the two adapter files/],
    [['a.zip', 'adapter_config.json'], /either one \.zip/],
  ])('rejects %j with a reason', (names, reason) => {
    expect(adapterFilesProblem(names)).toMatch(reason);
  });
});
