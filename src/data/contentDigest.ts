/**
 * A digest of a file's bytes, to find the same image dropped twice under two names. SHA-256 (WebCrypto) where the
 * context has it; on plain-http origins, where crypto.subtle is missing, two differently seeded 32-bit FNV-1a
 * hashes (FNV: Fowler, Noll, Vo; offset basis 2166136261, prime 16777619) plus the length. Only files of equal
 * size are ever compared, so a 64-bit collision among them is not a practical concern.
 */

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function fnv1a(bytes: Uint8Array, basis: number): number {
  let hash = basis >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

export async function contentDigest(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return `sha256:${hex(new Uint8Array(await subtle.digest('SHA-256', bytes)))}`;
  const a = fnv1a(bytes, 2166136261).toString(16).padStart(8, '0');
  const b = fnv1a(bytes, 0x9e3779b9).toString(16).padStart(8, '0');
  return `fnv:${bytes.length}:${a}${b}`;
}
