/**
 * The streaming CSV reader against untrusted text: generated files (quotes, commas, semicolons, CR / LF / CRLF, a
 * BOM, NUL and non-UTF-8 bytes, gzip or not) either stream their rows or reject with a FormatError; a missing
 * required column is always named. Rows are counted the same whatever the chunking.
 */
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/formatError';
import { streamCsvRows } from '../../src/formats/csvStream';
import { RUNS, SEEDS, keepsContract, mutationsOf, tally } from './fuzzHelpers';

const cell = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('"', '""', '"a,b"', '"x\ny"', ';', ',', '\r', '\n', '\r\n', '\ufeff', '\0', 'Image Index', 'é', '𝔸'),
);
const csvText = fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 12 }).chain((rows) =>
  fc.constantFrom(',', ';', '\t').chain((sep) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => rows.map((r) => r.join(sep)).join(eol))),
);
const csvBytes = fc.oneof(
  { weight: 4, arbitrary: csvText.map((t) => new TextEncoder().encode(t)) },
  { weight: 1, arbitrary: csvText.map((t) => gzipSync(new TextEncoder().encode(t))) },
  { weight: 1, arbitrary: mutationsOf(gzipSync(new TextEncoder().encode('Image Index,Finding Labels,Patient ID\na.png,Mass,1\nb.png,No Finding,2\n'))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
);

describe('CSV fuzz', () => {
  it(`generated and mutated CSV files (plain and gzipped): rows streamed or FormatError (${RUNS} cases)`, async () => {
    const seen = tally();
    await fc.assert(
      fc.asyncProperty(csvBytes, fc.boolean(), async (bytes, requireColumn) =>
        seen.add(
          await keepsContract(async () => {
            let rows = 0;
            const result = await streamCsvRows(new Blob([bytes as BlobPart]), { fileName: 'index.csv', requiredColumns: requireColumn ? ['Image Index'] : [], onRow: () => void rows++ });
            expect(result.rows).toBe(rows);
            if (requireColumn) expect(result.fields).toContain('Image Index');
          }),
        ),
      ),
      { numRuns: RUNS, seed: SEEDS.csv },
    );
    expect(seen.counts.ok).toBeGreaterThan(0);
    expect(seen.counts.refused).toBeGreaterThan(0);
  }, 60_000);

  it('a missing required column is a FormatError that names it', async () => {
    const error = await streamCsvRows(new Blob(['a;b\n1;2\n']), { fileName: 'x.csv', requiredColumns: ['Patient ID'], onRow: () => undefined }).catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).kind).toBe('missing');
    expect((error as FormatError).message).toBe("x.csv: missing column 'Patient ID'");
  });
});
