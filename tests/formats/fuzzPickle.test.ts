/**
 * The pickle and .pth readers against untrusted bytes: mutations of a real torch.save pickle and of a whole .pth
 * zip, and random opcode streams, either parse or throw a FormatError (no hang, no other exception). A pickle that
 * asks for anything outside the allow-list is refused by name, as CPython itself wrote it.
 */
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/formatError';
import { unpickle } from '../../src/formats/pickle';
import { isAllowedTorchGlobal, openPth } from '../../src/formats/pth';
import { fixtureBytes } from '../io/helpers';
import { RUNS, SEEDS, keepsContract, mutationsOf, tally } from './fuzzHelpers';

const pth = fixtureBytes('vit_small.pth');
const pklName = Object.keys(unzipSync(pth)).find((n) => n.endsWith('data.pkl'))!;
const pkl = unzipSync(pth)[pklName];
const torchHooks = {
  callables: { 'torch._utils._rebuild_tensor_v2': (...args: unknown[]) => args },
  allowedGlobals: isAllowedTorchGlobal,
  persistentLoad: (pid: unknown) => pid,
};

/** Opcodes of pickletools' table that the reader knows or must refuse, with argument bytes after them. */
const opcode = fc.oneof(
  fc.constantFrom(0x28, 0x29, 0x2e, 0x30, 0x31, 0x32, 0x5d, 0x7d, 0x8f, 0x64, 0x6c, 0x74, 0x85, 0x86, 0x87, 0x91, 0x90, 0x4e, 0x88, 0x89, 0x52, 0x81, 0x51, 0x73, 0x75, 0x61, 0x65, 0x62, 0x94, 0x93).map((op) => [op]),
  fc.tuple(fc.constantFrom(0x80, 0x4b, 0x71, 0x68, 0x8a, 0x55, 0x43, 0x8c), fc.integer({ min: 0, max: 255 })).map(([op, n]) => [op, n]),
  fc.tuple(fc.constantFrom(0x4d, 0x4a, 0x72, 0x6a, 0x8b, 0x58, 0x54, 0x42, 0x95, 0x8d, 0x8e, 0x47), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([op, b]) => [op, ...b]),
  fc.constantFrom('cos\nsystem\n', 'ccollections\nOrderedDict\n', 'ctorch._utils\n_rebuild_tensor_v2\n', 'cbuiltins\neval\n').map((t) => [...new TextEncoder().encode(t)]),
  fc.integer({ min: 0, max: 255 }).map((op) => [op]),
);
const opcodeStream = fc.array(opcode, { maxLength: 60 }).map((ops) => Uint8Array.from([0x80, 0x02, ...ops.flat(), 0x2e]));

describe('pickle fuzz', () => {
  it(`mutated torch.save pickles and random opcode streams: parsed or FormatError (${RUNS} + ${RUNS} cases)`, async () => {
    for (const [arbitrary, seed] of [[mutationsOf(pkl), SEEDS.pickle], [opcodeStream, SEEDS.pickle + 100]] as const) {
      const seen = tally();
      await fc.assert(fc.asyncProperty(arbitrary, async (bytes) => seen.add(await keepsContract(() => unpickle(bytes, torchHooks)))), { numRuns: RUNS, seed });
      expect(seen.counts.refused).toBeGreaterThan(0);
      expect(seen.counts.ok).toBeGreaterThan(0);
    }
  }, 60_000);

  it(`mutated .pth zips (zip + pickle + tensor reads): opened and read, or FormatError (${RUNS / 4} cases)`, async () => {
    const seen = tally();
    const small = zipSync(Object.fromEntries(Object.entries(unzipSync(pth)).map(([n, b]) => [n, [n.endsWith('data.pkl') ? b : b.subarray(0, 64), { level: 0 }]])));
    await fc.assert(
      fc.asyncProperty(mutationsOf(small), async (bytes) =>
        seen.add(
          await keepsContract(async () => {
            const reader = await openPth(new Blob([bytes as BlobPart]));
            for (const t of reader.tensors.slice(0, 3)) if (!t.unreadable) await reader.read(t.name);
          }),
        ),
      ),
      { numRuns: RUNS / 4, seed: SEEDS.pth },
    );
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);
});

describe('pickle allow-list: anything else is refused by name', () => {
  // CPython 3.11 `pickle.dumps(E(), protocol=...)` of a class whose __reduce__ returns (os.system, ('echo pwned',)).
  const osSystemProtocol2 = Buffer.from('800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e', 'hex');
  const osSystemProtocol4 = Buffer.from('80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e', 'hex');

  for (const [what, bytes] of [['GLOBAL (protocol 2)', osSystemProtocol2], ['STACK_GLOBAL (protocol 4)', osSystemProtocol4]] as const) {
    it(`os.system via ${what}`, () => {
      let error: unknown;
      try {
        unpickle(Uint8Array.from(bytes), torchHooks);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).kind).toBe('forbidden-global');
      expect((error as FormatError).message).toMatch(/pickle asks for posix\.system, which is not on the allow-list: refused/);
    });
  }

  it('inside a .pth: the checkpoint is refused with the name', async () => {
    const files = unzipSync(pth);
    files[pklName] = Uint8Array.from(osSystemProtocol2);
    await expect(openPth(new Blob([zipSync(files) as BlobPart]))).rejects.toThrow(/posix\.system, which is not on the allow-list/);
  });

  it('the allow-list holds what torch.save writes (storages, rebuild functions, Namespace) and nothing that runs code', () => {
    for (const name of ['torch.FloatStorage', 'torch.BFloat16Storage', 'torch.float32', 'argparse.Namespace', 'numpy.core.multiarray.scalar', 'collections.Counter']) expect(isAllowedTorchGlobal(name), name).toBe(true);
    for (const name of ['posix.system', 'os.system', 'builtins.eval', 'builtins.exec', 'builtins.getattr', 'subprocess.Popen', 'torch.load', 'torch.nn.Module', 'numpy.load']) expect(isAllowedTorchGlobal(name), name).toBe(false);
  });
});
