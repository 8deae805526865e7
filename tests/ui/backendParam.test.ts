import { describe, expect, it } from 'vitest';
import { parseBackendParam } from '../../src/ui/view/backendParam';

describe('parseBackendParam', () => {
  it('no parameter: the trainer picks', () => {
    expect(parseBackendParam('')).toEqual({ requested: null });
    expect(parseBackendParam('?backend=')).toEqual({ requested: null });
  });
  it.each(['webgpu', 'wasm', 'webgl', 'cpu'] as const)('forces %s', (name) => {
    expect(parseBackendParam(`?x=1&backend=${name}`)).toEqual({ requested: name });
  });
  it('is lenient about case and spaces', () => {
    expect(parseBackendParam('?backend=%20WebGPU').requested).toBe('webgpu');
  });
  it('an unknown value is ignored with a warning that lists the valid ones', () => {
    const r = parseBackendParam('?backend=cuda');
    expect(r.requested).toBeNull();
    expect(r.warning).toContain('"cuda"');
    expect(r.warning).toContain('webgpu, wasm, webgl, cpu');
  });
});
