/** The cache of stored runs' models for saliency (src/lab/storedModelCache.ts): at most two alive, the rest disposed. */
import { describe, expect, it } from 'vitest';
import { StoredModelCache, type CachedModel } from '../../src/lab/storedModelCache';
import type { RunSummary } from '../../src/run/runs';
import type { VitModel } from '../../src/model/vit';

function fakeBuilds() {
  const disposed: string[] = [];
  const built: string[] = [];
  const build = async (run: RunSummary): Promise<CachedModel> => {
    if (run.id === 'broken') throw new Error('no checkpoint');
    const label = `${run.id}@${run.updatedAt}`;
    built.push(label);
    return { model: { dispose: () => disposed.push(label) } as unknown as VitModel, norm: { mean: 0.5, std: 0.25 }, from: 'best' };
  };
  return { build, built, disposed };
}

const run = (id: string, updatedAt = 't1') => ({ id, updatedAt }) as RunSummary;
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('StoredModelCache', () => {
  it('builds a run once, keeps two, disposes the least recently used', async () => {
    const f = fakeBuilds();
    const cache = new StoredModelCache(2, f.build);
    const a = await cache.get(run('a'));
    await cache.get(run('b'));
    expect(await cache.get(run('a'))).toBe(a);
    await cache.get(run('c'));
    await settle();
    expect(f.built).toEqual(['a@t1', 'b@t1', 'c@t1']);
    expect(f.disposed).toEqual(['b@t1']);
    expect(cache.size).toBe(2);
  });

  it('a run stored again since is built anew and its old model disposed; a failed build is not kept', async () => {
    const f = fakeBuilds();
    const cache = new StoredModelCache(2, f.build);
    await cache.get(run('a', 't1'));
    await cache.get(run('a', 't2'));
    await settle();
    expect(f.disposed).toEqual(['a@t1']);
    await expect(cache.get(run('broken'))).rejects.toThrow(/no checkpoint/);
    await settle();
    expect(cache.size).toBe(1);
    cache.clear();
    await settle();
    expect(f.disposed).toEqual(['a@t1', 'a@t2']);
    expect(cache.size).toBe(0);
  });
});
