/**
 * Any CSV + images: the user names the path column and either binary label columns (0/1, -1 = ignore, blank = 0)
 * or one column of '|'-separated finding names (NIH's `Finding Labels` style). `suggestColumns` guesses all of it
 * from the header and a few rows; the UI shows the guess and lets the user change it.
 */
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { streamCsvRows } from '../../formats/csvStream';
import { readLabelCell } from '../labelCells';
import { IMAGE_EXTENSIONS as LAYOUT_IMAGE_EXTENSIONS } from './paths';
import { PathIndex, baseNameOf, dirNameOf, extensionOf, segmentsOf, summariseProblems } from '../pathIndex';
import type { FileEntry, LabelValue, Problem, Split } from '../../run/datasets';
import { type ColumnSuggestion, GENERIC_CSV_ID, type CsvRow, type GenericCsvOptions } from '../../run/layoutOptions';

const IMAGE_EXTENSIONS = [...LAYOUT_IMAGE_EXTENSIONS];
const SPLIT_VALUES: Record<string, Split> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };
/** Columns that hold numbers but are never labels even when a sample happens to be all 0/1. */
const NOT_A_LABEL = /(^|[^a-z])(id|age|sex|gender|view|width|height|spacing|follow|index|x|y|year|date|time)([^a-z]|$)/i;

function looksLikeImagePath(value: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(value.trim()));
}

/**
 * Guesses the roles of the columns from the header and some rows: the path column holds image file names,
 * label columns hold only binary cells, a label-list column holds '|'-joined words.
 */
export function suggestColumns(header: readonly string[], sampleRows: readonly CsvRow[] = []): ColumnSuggestion {
  const values = (c: string) => sampleRows.map((r) => (r[c] ?? '').trim());
  const byContent = header.find((c) => sampleRows.length > 0 && values(c).every(looksLikeImagePath));
  const byName = header.find((c) => /(^|[^a-z])(path|file|filename|image|img|image index)([^a-z]|$)/i.test(c));
  const pathColumn = byContent ?? byName;
  const patientColumn = header.find((c) => c !== pathColumn && /patient/i.test(c));
  const splitColumn = header.find(
    (c) => /^(split|fold|subset|set|partition)$/i.test(c) && (sampleRows.length === 0 || values(c).every((v) => v.toLowerCase() in SPLIT_VALUES)),
  );
  const taken = new Set([pathColumn, patientColumn, splitColumn]);
  const labelListColumn = header.find(
    (c) => !taken.has(c) && sampleRows.length > 0 && values(c).some((v) => v.includes('|')) && values(c).every((v) => !/^-?\d+(\.\d+)?$/.test(v)),
  ) ?? header.find((c) => !taken.has(c) && /^(finding labels|findings|labels)$/i.test(c));
  taken.add(labelListColumn);
  const labelColumns = header.filter((c) => {
    if (taken.has(c) || NOT_A_LABEL.test(c)) return false;
    const v = values(c);
    // Mostly binary is enough: a stray typo must become a listed problem row, not hide the whole label.
    const binary = v.filter((x) => readLabelCell(x) !== null).length;
    return v.length > 0 && binary >= 0.8 * v.length && v.some((x) => x !== '' && readLabelCell(x) !== null);
  });
  return { pathColumn, labelColumns, labelListColumn, patientColumn, splitColumn };
}

function pickCsv(files: FileEntry[], csvPath?: string): FileEntry {
  const csvs = files.filter((f) => extensionOf(f.path) === 'csv');
  if (csvPath !== undefined) {
    const chosen = csvs.find((f) => segmentsOf(f.path).join('/') === segmentsOf(csvPath).join('/'));
    if (!chosen) throw new Error(`CSV '${csvPath}' is not in the dropped folder`);
    return chosen;
  }
  if (csvs.length === 1) return csvs[0];
  if (csvs.length === 0) throw new Error('Generic CSV: no .csv file in the dropped folder');
  throw new Error(`Generic CSV: several CSV files, choose one: ${csvs.map((f) => f.path).sort().join(', ')}`);
}

interface LabelReader {
  labels: string[];
  read(cells: string[]): { values: LabelValue[] } | { error: string };
}

function columnLabelReader(columns: string[]): LabelReader {
  return {
    labels: columns,
    read(cells) {
      const values: LabelValue[] = [];
      for (let i = 0; i < columns.length; i++) {
        const meaning = readLabelCell(cells[i]);
        if (meaning === null) return { error: `unknown label value '${cells[i]}' in column '${columns[i]}'` };
        // Generic files have no uncertainty policy to apply: -1 is masked, never turned into a guess.
        values.push(meaning === 'positive' ? 1 : meaning === 'uncertain' ? -1 : 0);
      }
      return { values };
    },
  };
}

function listLabelReader(column: string, allCells: readonly string[], options: GenericCsvOptions): LabelReader {
  const separator = options.labelSeparator ?? '|';
  const none = options.noneLabel ?? 'No Finding';
  const names = (cell: string | undefined) => (cell ?? '').split(separator).map((s) => s.trim()).filter((s) => s && s !== none);
  const labels = options.labelNames ?? [...new Set(allCells.flatMap(names))].sort();
  const position = new Map(labels.map((l, i) => [l, i]));
  return {
    labels,
    read([cell]) {
      const values: LabelValue[] = labels.map(() => 0);
      for (const name of names(cell)) {
        const i = position.get(name);
        if (i === undefined) return { error: `unknown label '${name}' in column '${column}'` };
        values[i] = 1;
      }
      return { values };
    },
  };
}

export interface GenericIndexRow {
  imagePath: string;
  labels: LabelValue[];
  patientId?: string;
  split?: Split;
  rowNumber: number;
}

export interface GenericIndex {
  /** The options actually used (the given ones completed by suggestColumns). */
  options: GenericCsvOptions;
  header: string[];
  labels: string[];
  rows: GenericIndexRow[];
  problems: Problem[];
  rowCount: number;
}

/** How many rows suggestColumns sees before the roles are fixed. */
const SAMPLE_ROWS = 50;

function completeOptions(given: GenericCsvOptions, header: string[], sample: CsvRow[], fileName: string): GenericCsvOptions {
  const guess = suggestColumns(header, sample);
  const options: GenericCsvOptions = {
    ...given,
    pathColumn: given.pathColumn ?? guess.pathColumn,
    labelColumns: given.labelColumns ?? (given.labelListColumn ? [] : guess.labelColumns),
    labelListColumn: given.labelListColumn ?? (given.labelColumns ? undefined : guess.labelListColumn),
    patientColumn: given.patientColumn ?? guess.patientColumn,
    splitColumn: given.splitColumn ?? guess.splitColumn,
  };
  if (!options.pathColumn) throw new Error(`${fileName}: no image path column found; choose one of: ${header.join(', ')}`);
  for (const c of [options.pathColumn, ...(options.labelColumns ?? []), options.labelListColumn, options.patientColumn, options.splitColumn]) {
    if (c !== undefined && !header.includes(c)) throw new Error(`${fileName}: missing column '${c}'`);
  }
  if (!options.labelListColumn && (options.labelColumns ?? []).length === 0) {
    throw new Error(`${fileName}: no label columns found; choose them among: ${header.join(', ')}`);
  }
  return options;
}

/**
 * Reads an index CSV into label rows without touching images (also for index statistics on 100k-row files).
 * Rows keep only the cells they need, so a large index costs little memory.
 */
export async function readGenericIndex(csv: Blob, fileName: string, given: GenericCsvOptions = {}): Promise<GenericIndex> {
  let header: string[] = [];
  let options: GenericCsvOptions | null = null;
  const sample: CsvRow[] = [];
  const compact: { n: number; path: string; cells: string[]; patient: string; split: string }[] = [];
  const keep = (row: CsvRow, n: number) => {
    const o = options!;
    const cells = o.labelListColumn ? [row[o.labelListColumn] ?? ''] : (o.labelColumns ?? []).map((c) => row[c] ?? '');
    compact.push({
      n,
      path: (row[o.pathColumn!] ?? '').trim(),
      cells,
      patient: o.patientColumn ? (row[o.patientColumn] ?? '').trim() : '',
      split: o.splitColumn ? (row[o.splitColumn] ?? '').trim().toLowerCase() : '',
    });
  };
  const flushSample = () => {
    options = completeOptions(given, header, sample, fileName);
    sample.forEach((r, i) => keep(r, i + 1));
    sample.length = 0;
  };
  const result = await streamCsvRows(csv, {
    fileName,
    onHeader: (h) => (header = h),
    onRow: (row, n) => {
      if (options) return keep(row, n);
      sample.push(row);
      if (sample.length === SAMPLE_ROWS) flushSample();
    },
  });
  if (!options) flushSample();
  const used = options!;
  const reader = used.labelListColumn
    ? listLabelReader(used.labelListColumn, compact.map((r) => r.cells[0]), used)
    : columnLabelReader(used.labelColumns ?? []);
  const rows: GenericIndexRow[] = [];
  const problems: Problem[] = [];
  for (const r of compact) {
    const where = `${fileName} row ${r.n}`;
    if (!r.path) {
      problems.push({ path: where, reason: `empty '${used.pathColumn}' cell` });
      continue;
    }
    const label = reader.read(r.cells);
    if ('error' in label) {
      problems.push({ path: r.path, reason: `${label.error} (${where})` });
      continue;
    }
    rows.push({
      imagePath: r.path,
      labels: label.values,
      rowNumber: r.n,
      ...(r.patient ? { patientId: r.patient } : {}),
      ...(SPLIT_VALUES[r.split] ? { split: SPLIT_VALUES[r.split] } : {}),
    });
  }
  return { options: used, header, labels: reader.labels, rows, problems, rowCount: result.rows };
}

async function parse(files: FileEntry[], rawOptions: Record<string, unknown> = {}): Promise<ParsedDataset> {
  const given = rawOptions as GenericCsvOptions;
  const csv = pickCsv(files, given.csvPath);
  const index = await readGenericIndex(csv.file, csv.path, given);
  const images = new PathIndex(files, (p) => IMAGE_EXTENSIONS.includes(extensionOf(p)));
  const entries: DatasetEntry[] = [];
  const problems: Problem[] = [...index.problems];
  const used = new Set<FileEntry>();
  const withoutImage: string[] = [];
  for (const row of index.rows) {
    const found = images.resolve(row.imagePath, dirNameOf(csv.path));
    if ('missing' in found) withoutImage.push(row.imagePath);
    else if ('ambiguous' in found) problems.push({ path: row.imagePath, reason: `several files match: ${found.ambiguous.join(', ')}` });
    else if (used.has(found.file)) problems.push({ path: found.file.path, reason: `listed twice in ${csv.path} (again at row ${row.rowNumber})` });
    else {
      used.add(found.file);
      const { imagePath: _imagePath, rowNumber: _rowNumber, ...rest } = row;
      entries.push({ ...rest, path: segmentsOf(found.file.path).join('/'), file: found.file.file });
    }
  }
  problems.push(...summariseProblems(withoutImage, 'CSV row has no image in the dropped folder', csv.path));
  const orphans = files.filter((f) => IMAGE_EXTENSIONS.includes(extensionOf(f.path)) && !used.has(f)).map((f) => f.path);
  problems.push(...summariseProblems(orphans, `image has no row in ${baseNameOf(csv.path)}`, 'images'));
  const o = index.options;
  const how = o.labelListColumn ? `findings listed in '${o.labelListColumn}'` : `columns ${index.labels.map((l) => `'${l}'`).join(', ')}`;
  const notes = [`${csv.path}: ${index.rowCount.toLocaleString('en-US')} rows; images from '${o.pathColumn}', labels from ${how}.`];
  return { layout: GENERIC_CSV_ID, labels: index.labels, entries, problems, notes };
}

function detect(paths: string[]): number {
  // The fallback for any CSV with images: every dedicated layout scores higher.
  return paths.some((p) => extensionOf(p) === 'csv') && paths.some((p) => IMAGE_EXTENSIONS.includes(extensionOf(p))) ? 1 : 0;
}

export const genericCsvLayout: LayoutParser = {
  id: GENERIC_CSV_ID,
  name: 'CSV + images (choose the path and label columns)',
  detect,
  parse,
};
