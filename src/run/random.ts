/**
 * Seeded randomness shared by every layer (splits, label fractions, batch order, augmentation): one PRNG, one
 * string hash and one shuffle, so the same seed gives the same run everywhere.
 */

/**
 * mulberry32: a 32-bit-state PRNG by Tommy Ettinger (public domain, described in bryc's "PRNGs" notes,
 * github.com/bryc/code/blob/master/jshash/PRNGs.md). Returns floats in [0, 1). Plenty for shuffling.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 32-bit FNV-1a over UTF-16 code units (Fowler/Noll/Vo, http://www.isthe.com/chongo/tech/comp/fnv/),
 * finished with MurmurHash3's fmix32 avalanche so nearby strings spread over all bits.
 */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm P), in place. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
