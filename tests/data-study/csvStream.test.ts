import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { isGzip, streamCsvRows } from '../../src/formats/csvStream';
import { type CsvRow } from '../../src/run/layoutOptions';

async function collect(blob: Blob, requiredColumns: string[] = []) {
  const rows: CsvRow[] = [];
  const result = await streamCsvRows(blob, { fileName: 'index.csv', requiredColumns, onRow: (r) => void rows.push(r) });
  return { rows, result };
}

describe('streamCsvRows', () => {
  it('streams plain and gzipped CSVs to the same rows', async () => {
    const text = 'Path,Edema\n"a, b.png",1.0\nc.png,\n';
    const plain = await collect(new Blob([text]));
    const gz = await collect(new Blob([gzipSync(new TextEncoder().encode(text))]));
    expect(await isGzip(new Blob([gzipSync(new TextEncoder().encode(text))]))).toBe(true);
    expect(plain.rows).toEqual([{ Path: 'a, b.png', Edema: '1.0' }, { Path: 'c.png', Edema: '' }]);
    expect(gz.rows).toEqual(plain.rows);
    expect(plain.result.fields).toEqual(['Path', 'Edema']);
  });

  it('keeps quoted fields that span lines and chunk boundaries intact', async () => {
    // ~1 MB so the text arrives in many stream chunks; every 1000th row has a quoted newline and comma.
    const lines = ['id,note'];
    for (let i = 0; i < 30_000; i++) lines.push(i % 1000 === 0 ? `${i},"line one\nline, two ${i}"` : `${i},plain note number ${i}`);
    const blob = new Blob([gzipSync(new TextEncoder().encode(lines.join('\r\n')))]);
    const { rows, result } = await collect(blob);
    expect(result.rows).toBe(30_000);
    expect(rows[5000]).toEqual({ id: '5000', note: 'line one\nline, two 5000' });
    expect(rows[29_999].id).toBe('29999');
  });

  it('names the missing column and the file', async () => {
    await expect(collect(new Blob(['Path,Sex\nx.png,F\n']), ['Path', 'Frontal/Lateral'])).rejects.toThrow(
      "index.csv: missing column 'Frontal/Lateral'",
    );
    await expect(collect(new Blob(['Path,Sex\n']), ['Edema'])).rejects.toThrow("index.csv: missing column 'Edema'");
  });

  it('reads a header-only file and rejects an empty one clearly', async () => {
    expect((await collect(new Blob(['a,b\n']))).result).toMatchObject({ fields: ['a', 'b'], rows: 0 });
    await expect(collect(new Blob(['']))).rejects.toThrow('index.csv: empty CSV');
  });

  it('drops a UTF-8 byte-order mark from the first column name', async () => {
    const { result } = await collect(new Blob([new Uint8Array([0xef, 0xbb, 0xbf]), 'Path,x\na,1\n']), ['Path']);
    expect(result.fields[0]).toBe('Path');
  });
});
