/**
 * Decoding of the floating-point storage types checkpoints use into float32.
 * float16: IEEE 754 binary16; bfloat16: the upper 16 bits of a float32 (so widening is a 16-bit shift).
 * All inputs are little-endian, as safetensors and torch.save on every common platform store them.
 */

export type FloatDtype = 'F32' | 'F16' | 'BF16';

export const DTYPE_BYTES: Record<FloatDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** One binary16 value (bits) to a JS number, subnormals and inf/NaN included. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal: fraction / 2^10 * 2^-14
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Raw little-endian bytes of `count` values of `dtype` -> a fresh Float32Array. */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDtype, count: number): Float32Array {
  const needed = count * DTYPE_BYTES[dtype];
  if (bytes.byteLength < needed) throw new Error(`expected ${needed} bytes of ${dtype}, got ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, needed);
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'F16') {
    // A 64 K lookup table would be faster for 344 MB checkpoints, but F16 checkpoints of that size are rare here.
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    const widened = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) widened[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

/** float32 values -> little-endian F32 bytes (for writing safetensors). */
export function encodeFloat32(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  return out;
}
