/**
 * Gives Node the browser's WebGPU API from Dawn (the `webgpu` npm package's dawn.node, Chromium's own WebGPU
 * implementation), so that tfjs-backend-webgpu runs unchanged. Imported first by bench_gpu.ts: tfjs checks
 * navigator.gpu when it registers the backend. DAWN_NODE names the addon file.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dawnPath = process.env.DAWN_NODE;
if (!dawnPath) throw new Error('set DAWN_NODE to the path of dawn.node (scripts/gpu/prepare.sh unpacks it)');
const dawn = require(dawnPath) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
Object.assign(globalThis, dawn.globals);
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: dawn.create([]), userAgent: `node ${process.version} + dawn.node`, hardwareConcurrency: 1 },
  configurable: true,
});
