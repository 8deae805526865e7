/**
 * The layer rule of .dependency-cruiser.cjs (README "Architecture"), run on the real src/ (no violation allowed) and
 * on a fixture tree with deliberately wrong imports (each must be caught, and nothing else), so the rule itself is
 * shown to fail when it should.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const config = createRequire(import.meta.url)(resolve(ROOT, '.dependency-cruiser.cjs'));

async function violations(paths: string[]): Promise<string[]> {
  const options: ICruiseOptions = { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir: ROOT };
  const result = await cruise(paths, options);
  if (typeof result.output === 'string') throw new Error(result.output);
  return result.output.summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('layer rule', () => {
  test('src/ imports only downward (no violation)', async () => {
    expect(await violations(['src'])).toEqual([]);
  }, 120_000);

  test('each deliberately wrong import of the fixture tree is caught, and the allowed ones are not', async () => {
    const base = 'tests/fixtures/layers/src';
    expect(await violations([base])).toEqual([
      `layer-lab: ${base}/lab/service.ts -> ${base}/weird/thing.ts`,
      `layer-model: ${base}/model/net.ts -> ${base}/ui/page.ts`,
      `layer-run: ${base}/run/record.ts -> ${base}/model/net.ts`,
      `layer-ui: ${base}/ui/page.ts -> ${base}/lab/service.ts`,
      `no-unknown-src-folder: ${base}/lab/service.ts -> ${base}/weird/thing.ts`,
      `ui-code-through-client-only: ${base}/ui/page.ts -> ${base}/workers/entry.ts`,
    ]);
  }, 120_000);
});
