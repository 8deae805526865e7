import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { expandGrid, type GridRecord, type GridSpec } from '../../src/run/grid';
import { checkResultsJson, resultsCsv, resultsJson, resultsMarkdown, RESULTS_SCHEMA, type ResultsJson } from '../../src/run/resultsExport';
import { resultsTable } from '../../src/run/resultsTable';
import { NOT_FOR_MEDICAL_USE } from '../../src/run/notice';
import { fakeRun, LABELS, score, studyRuns } from './resultsFixtures';

const [A, E] = LABELS;
const runs = studyRuns();
const table = resultsTable(runs);

describe('resultsCsv', () => {
  const csv = resultsCsv(table);
  const parsed = Papa.parse<Record<string, unknown>>(csv, { header: true, dynamicTyping: true, skipEmptyLines: true });

  it('round-trips through papaparse: quoted label names with commas and quotes, every number exact', () => {
    expect(parsed.errors).toEqual([]);
    // RFC 4180: the header cell is quoted and its quotes doubled.
    expect(csv.split('\n')[0]).toContain('"auroc_Effusion, ""pleural"""');
    expect(parsed.meta.fields).toContain(`auroc_${E}`);
    expect(parsed.meta.fields).toContain(`ece_${A}`);
    expect(parsed.data).toHaveLength(table.rows.length);
    parsed.data.forEach((line, i) => {
      const r = table.rows[i];
      expect(line.method).toBe(r.method);
      expect(line.fraction).toBe(r.fraction);
      expect(line.macroAurocMean).toBe(r.macroAuroc.mean);
      expect(line.macroAurocSd).toBe(r.macroAuroc.sd);
      expect(line[`auroc_${E}`]).toBe(r.auroc[1].mean);
      expect(line[`aurocRuns_${E}`]).toBe(r.auroc[1].n);
      expect(line.trainablePercent).toBe(r.params.trainablePercent);
      expect(line.versus).toBe(r.versus);
    });
  });

  it('says "Not for medical use" in a last column on every row, read by papaparse with its default options', () => {
    expect(parsed.meta.fields?.at(-1)).toBe('notice');
    for (const line of parsed.data) expect(line.notice).toBe('Not for medical use');
    const plain = Papa.parse<string[]>(csv, { skipEmptyLines: true });
    expect(plain.errors).toEqual([]);
    expect(new Set(plain.data.map((r) => r.length)).size).toBe(1);
  });

  it('leaves undefined values empty (not 0, not "null") and lists per-seed intervals', () => {
    const linear100 = parsed.data[5];
    expect(linear100).toMatchObject({ method: 'linear', fractionLabel: '100 %', scored: 1, unscored: 1, seeds: 0, macroAurocSd: null, versus: null, msPerStep: null });
    expect(csv).not.toContain('null');
    expect(parsed.data[0].seeds).toBe('0;1');
    expect(parsed.data[5].macroAurocCi95PerSeed).toBe(`seed 0: [${0.75 - 0.03}, ${0.75 + 0.03}]`);
  });
});

describe('resultsMarkdown', () => {
  const md = resultsMarkdown(table);
  const lines = md.split('\n');

  it('is a paper-style table: mean ± sd, the better of LoRA and FFT in bold, costs with units', () => {
    expect(lines[0]).toBe(
      `| Label fraction | Method | Seeds | Test macro AUROC (mean ± sd) | Atelectasis | Effusion, "pleural" | Mean ECE | Trainable parameters | Optimizer state (MB) | ms/step | images/s | Wall time (min) |`,
    );
    expect(lines[1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    // LoRA at 1 %: macro 0.72 ± 0.0283; Atelectasis (0.68 + 0.74) / 2; Effusion 0.72 from one run; 1,000 of 101,000 = 0.990 %
    expect(lines[2]).toBe('| 1 % | LoRA | 2 | **0.720 ± 0.028** | 0.710 | 0.720 | 0.060 | 1,000 (0.990 %) | 0.008 | 112.5 | 72.0 | 1.1 |');
    expect(lines[3]).toBe('| 1 % | FFT | 2 | 0.700 ± 0.014 | 0.695 | 0.705 | 0.060 | 100,000 (100.000 %) | 0.8 | n/a | n/a | 1.0 |');
    expect(lines[6]).toBe('| 100 % | FFT | 2 | **0.840 ± 0.014** | 0.835 | 0.845 | 0.060 | 100,000 (100.000 %) | 0.8 | n/a | n/a | 1.0 |');
    // One seed scored: no sd; the running run is reported, not averaged.
    expect(lines[7]).toBe('| 100 % | Linear probe | 1 (1 unscored) | 0.750 | 0.740 | 0.760 | 0.060 | 500 (0.500 %) | 0.004 | n/a | n/a | 1.0 |');
    expect(md).toContain('\nLoRA won 1 of 2 fractions; full fine-tuning won 1; 0 ties.\n');
  });

  it('ends with the "Not for medical use" notice', () => {
    expect(lines.at(-2)).toBe(`_${NOT_FOR_MEDICAL_USE}_`);
    expect(lines.at(-2)).toMatch(/^_Not for medical use: /);
  });

  it('escapes pipes in label names and takes the page’s method names', () => {
    const piped = resultsTable([fakeRun({ method: 'lora', seed: 0, test: score({ 'A|B': 0.9 }) })].map((r) => ({ ...r, labels: ['A|B'] })));
    const out = resultsMarkdown(piped, { methodNames: { lora: 'LoRA (r 4)', fft: 'Full fine-tuning', linear: 'Linear probe' } });
    expect(out.split('\n')[0]).toContain('| A\\|B |');
    expect(out.split('\n')[2]).toContain('| LoRA (r 4) |');
  });

  it('shows seeds found of the grid’s expected ones', () => {
    const spec: GridSpec = { name: 'g', datasetId: 'ds1', methods: ['lora'], fractions: [1], seeds: [0, 1, 2], ranks: {}, recipe: 'mrm-sgd', base: runs[0].config };
    const grid: GridRecord = { id: 'g1', spec, cells: expandGrid(spec), runIds: [null, null, null], current: 1, status: 'running', createdAt: '', updatedAt: '' };
    const t = resultsTable([fakeRun({ method: 'lora', seed: 0, gridId: 'g1', test: score({ [A]: 0.9 }) })], { grid });
    expect(resultsMarkdown(t).split('\n')[2]).toContain('| 100 % | LoRA | 1/3 (2 not started) | 0.900 |');
  });
});

describe('resultsJson and checkResultsJson', () => {
  const json: ResultsJson = JSON.parse(JSON.stringify(resultsJson(table, runs)));

  it('holds the schema version, the rows and every run’s full config and identity', () => {
    expect(json.schema).toBe(RESULTS_SCHEMA);
    expect(json.rows).toEqual(JSON.parse(JSON.stringify(table.rows)));
    expect(json.runs).toHaveLength(12);
    const running = json.runs.find((r) => r.id === 'linear-1-1');
    expect(running).toMatchObject({ counted: false, status: 'running', name: 'demo-linear-1-1', datasetId: 'ds1' });
    expect(running?.config).toEqual(JSON.parse(JSON.stringify(runs[11].config)));
    expect(json.runs.filter((r) => r.counted)).toHaveLength(11);
    expect(json.grid).toBeNull();
    expect(json.notice).toBe(NOT_FOR_MEDICAL_USE);
    expect(checkResultsJson(json)).toEqual([]);
  });

  it('leaves out runs the table did not select, and carries the grid', () => {
    const other = fakeRun({ id: 'other-set', method: 'lora', seed: 9, datasetId: 'ds2', test: score({ [A]: 0.5 }) });
    const spec: GridSpec = { name: 'g', datasetId: 'ds1', methods: ['lora'], fractions: [1], seeds: [0], ranks: {}, recipe: 'mrm-sgd', base: runs[0].config };
    const grid: GridRecord = { id: 'g1', spec, cells: expandGrid(spec), runIds: ['lora-1-0'], current: 1, status: 'finished', createdAt: '', updatedAt: '' };
    const gridRuns = [...runs, other].map((r) => ({ ...r, gridId: r.datasetId === 'ds1' ? 'g1' : undefined }));
    const out = JSON.parse(JSON.stringify(resultsJson(resultsTable(gridRuns, { grid }), gridRuns, grid)));
    expect(out.runs.map((r: { id: string }) => r.id)).not.toContain('other-set');
    expect(out.grid.cells[0].config.lora.r).toBe(32);
    expect(checkResultsJson(out)).toEqual([]);
  });

  it('names what is wrong with a bad file', () => {
    const broken = (edit: (j: ResultsJson) => void) => {
      const copy = structuredClone(json);
      edit(copy);
      return checkResultsJson(copy);
    };
    expect(checkResultsJson('text')).toEqual(['file: must be a JSON object']);
    expect(broken((j) => ((j as { schema: string }).schema = 'cxr-peft-lab/results@0'))).toEqual(['schema: must be "cxr-peft-lab/results@1" (got "cxr-peft-lab/results@0")']);
    expect(broken((j) => (j.rows[5].macroAuroc.sd = 0.01))).toEqual(['rows[5].macroAuroc.sd: must be a number ≥ 0 for 2 or more seeds, null otherwise']);
    expect(broken((j) => Reflect.deleteProperty(j.runs[0].config, 'seed'))).toEqual(['runs[0].config.seed: must be a whole number']);
    expect(broken((j) => (j.runs[3].id = 'renamed'))).toEqual(['rows[1].runIds: run "fft-0.01-1" is not in runs', 'rows[1].countedRunIds: run "fft-0.01-1" is not in runs']);
    expect(broken((j) => Reflect.deleteProperty(j, 'notice'))).toEqual(['notice: must say "Not for medical use"']);
    expect(broken((j) => (j.wins.lora = 2))).toEqual(['wins: LoRA wins + FFT wins + ties must equal the fractions compared']);
    expect(broken((j) => j.rows[0].auroc.pop())).toEqual(['rows[0].auroc: must hold one entry per label']);
    expect(broken((j) => (j.rows[0].macroAuroc.mean = 1.5))).toEqual(['rows[0].macroAuroc.mean: must be null or in [0, 1]']);
    expect(broken((j) => ((j as { grid: unknown }).grid = { id: 'g', spec: {}, cells: [], runIds: [] }))).toEqual(['grid.spec: must list methods, fractions and seeds']);
  });
});
