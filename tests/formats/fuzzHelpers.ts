/**
 * Shared pieces of the parser fuzz tests: byte mutations of a valid file (set, insert, delete bytes, cut the end),
 * the contract every parser must keep (returns, or throws the lab's FormatError with a message; never another
 * exception, never a hang), and fixed seeds so CI runs the same cases every time.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { FormatError } from '../../src/formats/formatError';

/** Cases per parser: a few thousand, as the issue asks, within CI's time on two cores. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** One seed per parser file keeps each reproducible on its own. */
export const SEEDS = { pickle: 11, pth: 12, safetensors: 13, zip: 14, tar: 15, dicom: 16, png: 17, jpeg: 18, csv: 19, preflight: 20 } as const;
/** A single case slower than this counts as a hang (generous: CI machines are shared and slow). */
export const CASE_LIMIT_MS = 5000;

type Mutation = { op: 'set' | 'insert' | 'delete'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'insert', 'delete'),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
});

function apply(base: Uint8Array, mutations: Mutation[], cut: number | null): Uint8Array {
  let bytes = base.slice();
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.op === 'set') bytes[at] = m.value;
    else if (m.op === 'insert') {
      const grown = new Uint8Array(bytes.length + 1);
      grown.set(bytes.subarray(0, at));
      grown[at] = m.value;
      grown.set(bytes.subarray(at), at + 1);
      bytes = grown;
    } else {
      const shrunk = new Uint8Array(bytes.length - 1);
      shrunk.set(bytes.subarray(0, at));
      shrunk.set(bytes.subarray(at + 1), at);
      bytes = shrunk;
    }
  }
  return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
}

/**
 * Mostly small edits of a valid file (they reach deep into the parser), sometimes a cut, sometimes bytes that
 * replace a whole region, and now and then pure random bytes.
 */
export function mutationsOf(base: Uint8Array, focus?: { from: number; to: number }): fc.Arbitrary<Uint8Array> {
  const at = focus ? fc.integer({ min: focus.from, max: Math.max(focus.from, focus.to - 1) }) : fc.nat();
  const focused = fc.record({ op: fc.constantFrom<'set' | 'insert' | 'delete'>('set', 'insert', 'delete'), at, value: fc.integer({ min: 0, max: 255 }) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.array(fc.oneof(mutation, focused), { minLength: 1, maxLength: 8 }), fc.option(fc.nat(), { freq: 4 })).map(([m, cut]) => apply(base, m, cut)) },
    { weight: 1, arbitrary: fc.nat().map((cut) => base.subarray(0, cut % (base.length + 1))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  );
}

/** Runs `parse`; passes when it returns or throws a FormatError with a message, within CASE_LIMIT_MS. */
export async function keepsContract(parse: () => unknown | Promise<unknown>): Promise<'ok' | 'refused'> {
  const started = performance.now();
  try {
    await parse();
    expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
    return 'ok';
  } catch (error) {
    if (!(error instanceof FormatError)) throw new Error(`not a FormatError: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
    expect(error.message.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
    return 'refused';
  }
}

/** Counts outcomes, so each test can check its fuzzing reached both parsed and refused inputs. */
export function tally() {
  const counts = { ok: 0, refused: 0 };
  return {
    counts,
    add(outcome: 'ok' | 'refused') {
      counts[outcome]++;
    },
  };
}
