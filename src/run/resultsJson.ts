/**
 * The results JSON ("Export table as JSON"): its schema version, its type, and a validator that lists what is wrong
 * with a parsed file (the e2e checks a downloaded export with it; a future import can refuse a bad file with it).
 * Hand-written on purpose: the schema is small, and a list of "where: what" problems reads better than a generic
 * validator's output. Bump RESULTS_SCHEMA when a field changes meaning or goes away.
 */
import { GRID_METHODS, type GridRecord } from './grid';
import type { FractionComparison, ResultsRow, Wins } from './resultsTable';
import type { RunSummary } from './runs';

export const RESULTS_SCHEMA = 'cxr-peft-lab/results@1';

export interface ResultsJson {
  schema: typeof RESULTS_SCHEMA;
  labels: string[];
  datasets: { id: string; name: string }[];
  gridId: string | null;
  tieTolerance: number;
  winsLine: string;
  wins: Wins;
  comparisons: FractionComparison[];
  rows: ResultsRow[];
  /** Every run the table found, complete (config, identity, scores, costs); `counted`: it is in a row's statistics. */
  runs: (RunSummary & { counted: boolean })[];
  grid: GridRecord | null;
  /** "Not for medical use" (src/run/notice.ts). */
  notice: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isFraction = (v: unknown) => isNum(v) && v > 0 && v <= 1;
const isAuroc = (v: unknown) => v === null || (isNum(v) && v >= 0 && v <= 1);

class Problems {
  readonly list: string[] = [];
  need(ok: boolean, where: string, what: string): boolean {
    if (!ok) this.list.push(`${where}: ${what}`);
    return ok;
  }
}

function checkMean(p: Problems, v: unknown, where: string, inUnit: boolean): void {
  if (!p.need(isObj(v), where, 'must be an object { n, mean }')) return;
  const m = v as Obj;
  p.need(isCount(m.n), `${where}.n`, 'must be a whole number ≥ 0');
  p.need(inUnit ? isAuroc(m.mean) : m.mean === null || isNum(m.mean), `${where}.mean`, inUnit ? 'must be null or in [0, 1]' : 'must be null or a number');
  p.need((m.n === 0) === (m.mean === null), `${where}.mean`, 'must be null exactly when n is 0');
}

function checkRow(p: Problems, row: unknown, where: string, labels: string[], runIds: Set<string>): void {
  if (!p.need(isObj(row), where, 'must be an object')) return;
  const r = row as Obj;
  p.need(GRID_METHODS.includes(r.method as never), `${where}.method`, `must be one of ${GRID_METHODS.join(', ')}`);
  p.need(isFraction(r.fraction), `${where}.fraction`, 'must be a number in (0, 1]');
  p.need(typeof r.fractionLabel === 'string', `${where}.fractionLabel`, 'must be a string');
  for (const key of ['runs', 'scored', 'unscored', 'superseded']) p.need(isCount(r[key]), `${where}.${key}`, 'must be a whole number ≥ 0');
  for (const key of ['expected', 'missing']) p.need(r[key] === null || isCount(r[key]), `${where}.${key}`, 'must be null or a whole number ≥ 0');
  p.need(Array.isArray(r.seeds) && r.seeds.every(Number.isInteger) && r.seeds.length === r.scored, `${where}.seeds`, 'must list one whole-number seed per scored run');
  checkMean(p, r.macroAuroc, `${where}.macroAuroc`, true);
  if (isObj(r.macroAuroc)) {
    const m = r.macroAuroc;
    p.need(m.sd === null ? !(isCount(m.n) && m.n >= 2) : isNum(m.sd) && m.sd >= 0 && isCount(m.n) && m.n >= 2, `${where}.macroAuroc.sd`, 'must be a number ≥ 0 for 2 or more seeds, null otherwise');
    p.need(isAuroc(m.min) && isAuroc(m.max), `${where}.macroAuroc.min/max`, 'must be null or in [0, 1]');
  }
  for (const key of ['auroc', 'ece']) {
    const list = r[key];
    if (!p.need(Array.isArray(list) && list.length === labels.length, `${where}.${key}`, 'must hold one entry per label')) continue;
    (list as unknown[]).forEach((entry, j) => {
      p.need(isObj(entry) && entry.label === labels[j], `${where}.${key}[${j}].label`, `must be "${labels[j]}"`);
      checkMean(p, entry, `${where}.${key}[${j}]`, true);
    });
  }
  checkMean(p, r.meanEce, `${where}.meanEce`, true);
  for (const key of ['optimizerStateBytes', 'msPerStep', 'imagesPerSec', 'wallMs']) checkMean(p, r[key], `${where}.${key}`, false);
  p.need(isObj(r.params) && isCount(r.params.n), `${where}.params`, 'must be an object with a count n');
  p.need(r.versus === null || r.versus === 'better' || r.versus === 'worse' || r.versus === 'tie', `${where}.versus`, 'must be better, worse, tie or null');
  p.need(Array.isArray(r.intervals) && r.intervals.length === r.scored, `${where}.intervals`, 'must hold one interval per scored run');
  for (const key of ['runIds', 'countedRunIds']) {
    const ids = r[key];
    if (!p.need(Array.isArray(ids) && ids.every((id) => typeof id === 'string'), `${where}.${key}`, 'must be a list of run ids')) continue;
    for (const id of ids as string[]) p.need(runIds.has(id), `${where}.${key}`, `run "${id}" is not in runs`);
  }
}

function checkRun(p: Problems, run: unknown, where: string): void {
  if (!p.need(isObj(run), where, 'must be an object')) return;
  const r = run as Obj;
  for (const key of ['id', 'name', 'datasetId', 'status', 'createdAt']) p.need(typeof r[key] === 'string', `${where}.${key}`, 'must be a string');
  p.need(Array.isArray(r.labels) && r.labels.every((l) => typeof l === 'string'), `${where}.labels`, 'must be a list of strings');
  p.need(typeof r.counted === 'boolean', `${where}.counted`, 'must be true or false');
  if (!p.need(isObj(r.config), `${where}.config`, 'must be the run config')) return;
  const c = r.config as Obj;
  p.need(GRID_METHODS.includes(c.method as never), `${where}.config.method`, `must be one of ${GRID_METHODS.join(', ')}`);
  p.need(Number.isInteger(c.seed), `${where}.config.seed`, 'must be a whole number');
  p.need(c.trainFraction === undefined || isFraction(c.trainFraction), `${where}.config.trainFraction`, 'must be absent or in (0, 1]');
  p.need(typeof c.datasetId === 'string' && typeof c.preset === 'string', `${where}.config`, 'must name its dataset and model preset');
  p.need(c.optimizer === 'sgd' || c.optimizer === 'adamw', `${where}.config.optimizer`, 'must be sgd or adamw');
  for (const key of ['baseLr', 'totalSteps', 'batchSize', 'warmupSteps', 'evalEvery']) p.need(isNum(c[key]), `${where}.config.${key}`, 'must be a number');
  p.need(isObj(c.lora) && Number.isInteger(c.lora.r) && (c.lora.r as number) >= 1 && isNum(c.lora.lora_alpha), `${where}.config.lora`, 'must hold a whole rank r ≥ 1 and lora_alpha');
  if (r.test !== undefined) p.need(isObj(r.test) && isAuroc(r.test.macroAuroc) && isObj(r.test.auroc), `${where}.test`, 'must hold macroAuroc (null or in [0, 1]) and auroc per label');
}

function checkGrid(p: Problems, grid: unknown): void {
  if (grid === null) return;
  if (!p.need(isObj(grid), 'grid', 'must be null or the grid record')) return;
  const g = grid as Obj;
  p.need(typeof g.id === 'string', 'grid.id', 'must be a string');
  p.need(isObj(g.spec) && Array.isArray(g.spec.methods) && Array.isArray(g.spec.fractions) && Array.isArray(g.spec.seeds), 'grid.spec', 'must list methods, fractions and seeds');
  const cells = g.cells;
  if (!p.need(Array.isArray(cells), 'grid.cells', 'must be a list')) return;
  (cells as unknown[]).forEach((cell, i) => {
    p.need(isObj(cell) && cell.index === i && isObj(cell.config) && Number.isInteger(cell.seed) && isFraction(cell.fraction), `grid.cells[${i}]`, 'must hold its index, method, fraction, seed and config');
  });
  p.need(Array.isArray(g.runIds) && g.runIds.length === (cells as unknown[]).length, 'grid.runIds', 'must hold one entry per cell');
}

/** What is wrong with a parsed results JSON, as "where: what" lines; empty when it is valid. */
export function checkResultsJson(value: unknown): string[] {
  const p = new Problems();
  if (!p.need(isObj(value), 'file', 'must be a JSON object')) return p.list;
  const v = value as Obj;
  if (!p.need(v.schema === RESULTS_SCHEMA, 'schema', `must be "${RESULTS_SCHEMA}" (got ${JSON.stringify(v.schema)})`)) return p.list;
  p.need(typeof v.notice === 'string' && v.notice.startsWith('Not for medical use'), 'notice', 'must say "Not for medical use"');
  const labelsOk = p.need(Array.isArray(v.labels) && v.labels.every((l) => typeof l === 'string'), 'labels', 'must be a list of strings');
  const labels = labelsOk ? (v.labels as string[]) : [];
  p.need(new Set(labels).size === labels.length, 'labels', 'must not repeat a label');
  p.need(Array.isArray(v.datasets), 'datasets', 'must be a list');
  p.need(v.gridId === null || typeof v.gridId === 'string', 'gridId', 'must be null or a string');
  p.need(isNum(v.tieTolerance) && v.tieTolerance >= 0, 'tieTolerance', 'must be a number ≥ 0');
  p.need(typeof v.winsLine === 'string', 'winsLine', 'must be a string');
  p.need(isObj(v.wins) && ['compared', 'lora', 'fft', 'ties'].every((k) => isCount((v.wins as Obj)[k])), 'wins', 'must count compared fractions, LoRA wins, FFT wins and ties');
  if (isObj(v.wins)) {
    const w = v.wins;
    p.need((w.lora as number) + (w.fft as number) + (w.ties as number) === w.compared, 'wins', 'LoRA wins + FFT wins + ties must equal the fractions compared');
  }
  p.need(Array.isArray(v.comparisons), 'comparisons', 'must be a list');

  const runIds = new Set<string>();
  if (p.need(Array.isArray(v.runs), 'runs', 'must be a list')) {
    (v.runs as unknown[]).forEach((run, i) => {
      checkRun(p, run, `runs[${i}]`);
      if (isObj(run) && typeof run.id === 'string') {
        p.need(!runIds.has(run.id), `runs[${i}].id`, `"${run.id}" appears twice`);
        runIds.add(run.id);
      }
    });
  }
  if (p.need(Array.isArray(v.rows), 'rows', 'must be a list')) (v.rows as unknown[]).forEach((row, i) => checkRow(p, row, `rows[${i}]`, labels, runIds));
  checkGrid(p, v.grid);
  return p.list;
}
