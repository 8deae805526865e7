/**
 * Finds the dropped file an index row or split-list line points at. Index files name images relative to some
 * folder (CheXpert: the folder above `CheXpert-v1.0-small/`; RSNA and NIH: only the file name), while the user may
 * drop that folder, its parent or a sub-folder. Matching is therefore: exact path under a base folder first,
 * else a unique path-suffix match on whole segments; several candidates are reported, never picked at random.
 */
import type { FileEntry, Problem } from '../run/datasets';

export function segmentsOf(path: string): string[] {
  return path.split(/[\\/]/).filter((s) => s.length > 0 && s !== '.');
}

export function baseNameOf(path: string): string {
  const parts = segmentsOf(path);
  return parts[parts.length - 1] ?? '';
}

export function dirNameOf(path: string): string {
  return segmentsOf(path).slice(0, -1).join('/');
}

export function extensionOf(path: string): string {
  const name = baseNameOf(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export type Resolution = { file: FileEntry } | { missing: true } | { ambiguous: string[] };

/**
 * Suffix maps keyed by the last 1, 2 and 3 path segments: CheXpert names every image `view1_frontal.jpg`, so a
 * file-name bucket alone would hold 190k files and make suffix matching quadratic; `patient/study/view` is unique.
 */
const SUFFIX_DEPTH = 3;

function suffixKey(segments: readonly string[], depth: number): string {
  return segments.slice(Math.max(0, segments.length - depth)).join('/');
}

export class PathIndex {
  private readonly byPath = new Map<string, FileEntry>();
  private readonly bySuffix: Map<string, FileEntry[]>[] = Array.from({ length: SUFFIX_DEPTH }, () => new Map());

  constructor(files: readonly FileEntry[], keep: (path: string) => boolean = () => true) {
    for (const f of files) {
      const segments = segmentsOf(f.path);
      const path = segments.join('/');
      if (!keep(path)) continue;
      this.byPath.set(path, f);
      for (let depth = 1; depth <= SUFFIX_DEPTH; depth++) {
        const map = this.bySuffix[depth - 1];
        const key = suffixKey(segments, depth);
        const bucket = map.get(key);
        if (bucket) bucket.push(f);
        else map.set(key, [f]);
      }
    }
  }

  get size(): number {
    return this.byPath.size;
  }

  /** All files whose name (last segment) is `name`. */
  named(name: string): readonly FileEntry[] {
    return this.bySuffix[0].get(name) ?? [];
  }

  /**
   * The file `relPath` points at: `${baseDir}/${relPath}` when it exists, else the one file whose path ends
   * with all segments of relPath (preferring files below baseDir when several do).
   */
  resolve(relPath: string, baseDir = ''): Resolution {
    const rel = segmentsOf(relPath);
    if (rel.length === 0) return { missing: true };
    const exact = this.byPath.get([...segmentsOf(baseDir), ...rel].join('/'));
    if (exact) return { file: exact };
    const depth = Math.min(rel.length, SUFFIX_DEPTH);
    const suffix = rel.join('/');
    const candidates = (this.bySuffix[depth - 1].get(suffixKey(rel, depth)) ?? []).filter((f) => {
      const p = segmentsOf(f.path).join('/');
      return p === suffix || p.endsWith('/' + suffix);
    });
    if (candidates.length === 1) return { file: candidates[0] };
    if (candidates.length === 0) return { missing: true };
    const base = segmentsOf(baseDir).join('/');
    const below = base ? candidates.filter((f) => segmentsOf(f.path).join('/').startsWith(base + '/')) : [];
    if (below.length === 1) return { file: below[0] };
    return { ambiguous: candidates.map((f) => f.path).sort() };
  }
}

/**
 * One problem per path while they are few; one summary line when a full index (100k rows) meets a partial
 * download, so the report stays readable and the count is still exact.
 */
export function summariseProblems(paths: readonly string[], reason: string, where: string, limit = 50): Problem[] {
  if (paths.length <= limit) return paths.map((path) => ({ path, reason }));
  const examples = paths.slice(0, 3).join(', ');
  return [{ path: where, reason: `${reason}: ${paths.length.toLocaleString('en-US')} in all (e.g. ${examples})` }];
}
