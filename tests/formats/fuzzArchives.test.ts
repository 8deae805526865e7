/**
 * zip, tar and tar.gz readers against untrusted bytes: mutations of small real archives (radiograph + CSV inside)
 * are listed and every member read, or refused with a FormatError; a dataset source over them never throws
 * anything but an AbortError (bad archives become report lines). Plus the refusals by name: entries escaping
 * their folder, zip bombs (ratio, declared size, overlapping entries, inflating past the declared size).
 */
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openDatasetSource } from '../../src/data/datasetSource';
import { FormatError } from '../../src/formats/formatError';
import { tarMembers } from '../../src/formats/tarReader';
import { ZipReader } from '../../src/formats/zipReader';
import { gzipOf, kermany, tarOf } from '../data/archiveHelpers';
import { RUNS, SEEDS, keepsContract, mutationsOf, tally } from './fuzzHelpers';

const [[imageName, image]] = [...kermany('NORMAL', 1)];
const members = { [`set/NORMAL/${imageName}`]: image.subarray(0, 600), 'set/labels.csv': new TextEncoder().encode('path,label\nNORMAL/a.jpeg,0\n') };

async function readZip(bytes: Uint8Array): Promise<void> {
  const zip = await ZipReader.open(new Blob([bytes as BlobPart]));
  for (const entry of zip.list) if (!entry.isDirectory) await (await zip.entryBlob(entry)).arrayBuffer();
}

async function readTar(bytes: Uint8Array): Promise<void> {
  for await (const { body } of tarMembers(new Blob([bytes as BlobPart]), () => true)) if (body) await body.arrayBuffer();
}

describe('archive fuzz', () => {
  it(`mutated zips (stored and deflated): every member read, or FormatError (${RUNS} cases)`, async () => {
    const zip = zipSync({ [Object.keys(members)[0]]: [Object.values(members)[0], { level: 0 }], 'set/labels.csv': [members['set/labels.csv'], { level: 9 }] });
    const seen = tally();
    await fc.assert(fc.asyncProperty(mutationsOf(zip), async (bytes) => seen.add(await keepsContract(() => readZip(bytes)))), { numRuns: RUNS, seed: SEEDS.zip });
    expect(seen.counts.ok).toBeGreaterThan(0);
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);

  it(`mutated tar and tar.gz: every member read, or FormatError (${RUNS / 2} + ${RUNS / 2} cases)`, async () => {
    const tar = await tarOf(members);
    for (const [base, seed] of [[tar, SEEDS.tar], [await gzipOf(tar), SEEDS.tar + 100]] as const) {
      const seen = tally();
      await fc.assert(fc.asyncProperty(mutationsOf(base), async (bytes) => seen.add(await keepsContract(() => readTar(bytes)))), { numRuns: RUNS / 2, seed });
      expect(seen.counts.refused).toBeGreaterThan(0);
    }
  }, 60_000);

  it('a dataset source over a broken archive reports it and goes on (no exception)', async () => {
    const zip = zipSync({ 'set/NORMAL/a.jpeg': [image, { level: 0 }] });
    await fc.assert(
      fc.asyncProperty(mutationsOf(zip), async (bytes) => {
        const source = await openDatasetSource([{ path: 'x.zip', file: new Blob([bytes as BlobPart]) }, { path: 'loose/NORMAL/b.jpeg', file: new Blob([image as BlobPart]) }]);
        expect(source.files.some((f) => f.path === 'loose/NORMAL/b.jpeg')).toBe(true);
        expect(source.problems.every((p) => p.reason.length > 0)).toBe(true);
      }),
      { numRuns: RUNS / 4, seed: SEEDS.zip + 200 },
    );
  }, 60_000);
});

async function refusal(run: () => Promise<unknown>): Promise<FormatError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('not refused');
}

/** Patches a 32-bit little-endian field at every central-directory header (signature PK\1\2) of a zip. */
function patchCentral(zip: Uint8Array, fieldOffset: number, value: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let i = 0; i + 46 <= out.length; i++) if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + fieldOffset, value, true);
  return out;
}

describe('zip and tar refusals by name', () => {
  it('zip entries escaping their folder: "../", an absolute path, a drive letter', async () => {
    for (const name of ['../evil.png', 'a/../../evil.png', '/etc/evil.png', 'C:\\evil.png', 'a\\..\\..\\evil.png']) {
      const error = await refusal(() => ZipReader.open(new Blob([zipSync({ [name]: new Uint8Array(4) }) as BlobPart])));
      expect(error.kind, name).toBe('path-escape');
    }
  });

  it('tar members escaping their folder', async () => {
    const tar = await tarOf({ '../../etc/passwd': new Uint8Array(3) });
    const error = await refusal(() => readTar(tar));
    expect(error.kind).toBe('path-escape');
    expect(error.message).toMatch(/tar entry "\.\.\/\.\.\/etc\/passwd" escapes the archive's folder/);
  });

  it('a zip bomb by ratio: 8 MiB of zeros deflated to ~8 KiB', async () => {
    const error = await refusal(() => ZipReader.open(new Blob([zipSync({ 'zeros.png': new Uint8Array(8 << 20) }) as BlobPart])));
    expect(error.kind).toBe('zip-bomb');
    expect(error.message).toMatch(/inflates \d+ times its compressed size \(limit 100\)/);
  });

  it('a zip bomb by declared size: an entry claiming 4 GiB', async () => {
    // Central directory uncompressed size (offset 24) set to 0xFFFFFFF0 bytes.
    const zip = patchCentral(zipSync({ 'big.png': [new Uint8Array(1000), { level: 6 }] }), 24, 0xfffffff0);
    const error = await refusal(() => ZipReader.open(new Blob([zip as BlobPart])));
    expect(error.kind).toBe('zip-bomb');
    expect(error.message).toMatch(/would inflate to 4,294,967,280 bytes/);
  });

  it('a zip bomb that lies about its size: it inflates past the declared size and is stopped there', async () => {
    // 1 MiB of zeros declared as 1,000 bytes (ratio check passes: the declared size is small).
    const zip = patchCentral(zipSync({ 'liar.png': [new Uint8Array(1 << 20), { level: 6 }] }), 24, 1000);
    const reader = await ZipReader.open(new Blob([zip as BlobPart]));
    const error = await refusal(() => reader.entryBlob(reader.list[0]));
    expect(error.kind).toBe('zip-bomb');
    expect(error.message).toMatch(/inflates past its declared 1,000 bytes/);
  });

  it('the overlapping-entry zip bomb: two directory entries pointing at the same data', async () => {
    const zip = zipSync({ 'a.png': [new Uint8Array(100).fill(1), { level: 0 }], 'b.png': [new Uint8Array(100).fill(2), { level: 0 }] });
    // Point the second central entry's local header offset (offset 42) at the first entry's (0).
    const out = zip.slice();
    const view = new DataView(out.buffer);
    let seen = 0;
    for (let i = 0; i + 46 <= out.length; i++) if (view.getUint32(i, true) === 0x02014b50 && seen++ === 1) view.setUint32(i + 42, 0, true);
    const error = await refusal(() => ZipReader.open(new Blob([out as BlobPart])));
    expect(error.kind).toBe('zip-bomb');
    expect(error.message).toMatch(/share bytes \(the overlapping-entry zip bomb\)/);
  });
});
