/**
 * CheXpert v1.0 and v1.0-small (Irvin et al., AAAI 2019) as Stanford ships it:
 *   CheXpert-v1.0-small/{train.csv, valid.csv, train/patientNNNNN/studyN/viewN_{frontal,lateral}.jpg, valid/...}
 * The CSV's `Path` column is relative to the folder ABOVE `CheXpert-v1.0-small/`
 * ("CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg"). Cells: 1.0 positive, 0.0 negative,
 * -1.0 uncertain, blank = not mentioned (read as 0, as the study and the CheXpert paper do).
 */
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { streamCsvRows } from '../../formats/csvStream';
import { readLabelCell } from '../labelCells';
import { PathIndex, baseNameOf, dirNameOf, extensionOf, segmentsOf, summariseProblems } from '../pathIndex';
import type { FileEntry, LabelValue, Problem, Split } from '../../run/datasets';
import { type UncertainPolicy, type ChexpertOptions, chexpertLabelNames, uncertainPolicyFor, CHEXPERT_ID } from '../../run/layoutOptions';

export interface ChexpertIndexRow {
  /** The CSV's Path cell, as written. */
  csvPath: string;
  labels: LabelValue[];
  patientId?: string;
  split: Split;
  frontal: boolean;
}

export interface ChexpertIndex {
  labels: string[];
  rows: ChexpertIndexRow[];
  problems: Problem[];
  skippedLateral: number;
}

const PATH_COLUMN = 'Path';
const VIEW_COLUMN = 'Frontal/Lateral';
const PATIENT = /(?:^|\/)(patient\d+)(?:\/|$)/;
const POLICY_VALUE: Record<UncertainPolicy, LabelValue> = { ones: 1, zeros: 0, ignore: -1 };

/** `patientNNNNN` from a CheXpert path, the dataset's only patient key. */
export function chexpertPatientId(path: string): string | undefined {
  return PATIENT.exec(path.includes('\\') ? path.replace(/\\/g, '/') : path)?.[1];
}

/** Which split a CheXpert CSV carries: valid.csv is the official validation set. */
export function chexpertSplitOf(csvName: string): Split | undefined {
  const name = csvName.toLowerCase();
  if (name === 'train.csv') return 'train';
  if (name === 'valid.csv') return 'val';
  if (name === 'test.csv') return 'test';
  return undefined;
}

/** Reads one CheXpert CSV (plain or gzipped) into label rows; no image files needed. */
export async function readChexpertIndex(csv: Blob, fileName: string, split: Split, options: ChexpertOptions = {}): Promise<ChexpertIndex> {
  const labels = chexpertLabelNames(options);
  const uncertainValue = labels.map((l) => POLICY_VALUE[uncertainPolicyFor(l, options)]);
  const required = [PATH_COLUMN, ...labels, ...(options.frontalOnly ? [VIEW_COLUMN] : [])];
  const rows: ChexpertIndexRow[] = [];
  const problems: Problem[] = [];
  let skippedLateral = 0;
  await streamCsvRows(csv, {
    fileName,
    requiredColumns: required,
    onRow: (row, n) => {
      const csvPath = (row[PATH_COLUMN] ?? '').trim();
      if (!csvPath) return void problems.push({ path: `${fileName} row ${n}`, reason: `empty '${PATH_COLUMN}' cell` });
      const view = row[VIEW_COLUMN];
      // The column when present (every release has it), else the file name (viewN_frontal / viewN_lateral).
      const frontal = view !== undefined ? view.trim() !== 'Lateral' : !/_lateral\.\w+$/i.test(csvPath);
      if (options.frontalOnly && !frontal) return void skippedLateral++;
      const values: LabelValue[] = [];
      for (let i = 0; i < labels.length; i++) {
        const raw = row[labels[i]];
        const meaning = readLabelCell(raw);
        if (meaning === null) {
          problems.push({ path: csvPath, reason: `unknown label value '${raw}' in column '${labels[i]}' (${fileName} row ${n})` });
          return;
        }
        values.push(meaning === 'positive' ? 1 : meaning === 'uncertain' ? uncertainValue[i] : 0);
      }
      rows.push({ csvPath, labels: values, patientId: chexpertPatientId(csvPath), split, frontal });
    },
  });
  return { labels, rows, problems, skippedLateral };
}

function isChexpertCsv(path: string): boolean {
  return chexpertSplitOf(baseNameOf(path)) !== undefined;
}

function detect(paths: string[]): number {
  const csvs = paths.filter(isChexpertCsv);
  if (csvs.length === 0) return 0;
  if (paths.some((p) => segmentsOf(p).some((s) => /^CheXpert-v1\.0/i.test(s)))) return 10;
  // A renamed folder still has CheXpert's patientNNNNN/studyN/viewN_* tree.
  return paths.some((p) => /patient\d+\/study\d+\/view\d+_(frontal|lateral)\.jpg$/i.test(p)) ? 8 : 0;
}

/**
 * The file a CSV Path cell names: relative to the folder above the CSV's folder (as shipped); if the user
 * renamed `CheXpert-v1.0-small/`, the path without its first segment relative to the CSV's own folder.
 */
function resolveImage(index: PathIndex, csvPath: string, csvDir: string) {
  const asShipped = index.resolve(csvPath, dirNameOf(csvDir));
  if (!('missing' in asShipped)) return asShipped;
  return index.resolve(segmentsOf(csvPath).slice(1).join('/'), csvDir);
}

async function parse(files: FileEntry[], rawOptions: Record<string, unknown> = {}): Promise<ParsedDataset> {
  const options = rawOptions as ChexpertOptions;
  const csvFiles = files.filter((f) => isChexpertCsv(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  if (csvFiles.length === 0) throw new Error('CheXpert: no train.csv or valid.csv found in the dropped folder');
  const isImage = (p: string) => ['jpg', 'jpeg', 'png'].includes(extensionOf(p));
  const images = new PathIndex(files, isImage);
  const entries: DatasetEntry[] = [];
  const problems: Problem[] = [];
  const notes: string[] = [];
  const used = new Set<FileEntry>();
  const labels = chexpertLabelNames(options);
  for (const csv of csvFiles) {
    const name = baseNameOf(csv.path);
    const index = await readChexpertIndex(csv.file, csv.path, chexpertSplitOf(name)!, options);
    problems.push(...index.problems);
    const withoutImage: string[] = [];
    for (const row of index.rows) {
      const found = resolveImage(images, row.csvPath, dirNameOf(csv.path));
      if ('file' in found) {
        if (used.has(found.file)) {
          problems.push({ path: found.file.path, reason: `listed twice in the CheXpert CSVs (again in ${name})` });
          continue;
        }
        used.add(found.file);
        entries.push({ path: segmentsOf(found.file.path).join('/'), file: found.file.file, labels: row.labels, patientId: row.patientId, split: row.split });
      } else if ('ambiguous' in found) {
        problems.push({ path: row.csvPath, reason: `several files match this CSV row: ${found.ambiguous.join(', ')}` });
      } else {
        withoutImage.push(row.csvPath);
      }
    }
    problems.push(...summariseProblems(withoutImage, `CSV row has no image in the dropped folder`, csv.path));
    // The whole CSV's counts, also for rows whose images were not dropped (a user checks the download with them).
    const f = (n: number) => n.toLocaleString('en-US');
    const patients = new Set(index.rows.map((r) => r.patientId)).size;
    const frontal = index.rows.filter((r) => r.frontal).length;
    notes.push(
      `${csv.path}: ${f(index.rows.length)} rows, ${f(patients)} patients, ${f(frontal)} frontal` +
        (options.frontalOnly ? ` (${f(index.skippedLateral)} lateral views left out)` : '') +
        `; ${f(index.rows.length - withoutImage.length)} with an image (split '${chexpertSplitOf(name)}').`,
    );
  }
  const orphans = files.filter((f) => isImage(f.path) && !used.has(f));
  problems.push(...summariseProblems(orphans.map((f) => f.path), 'image has no row in train.csv / valid.csv', 'CheXpert images'));
  notes.push(
    `CheXpert: ${labels.length} labels; uncertain (-1) → ` +
      labels.map((l) => `${l}: U-${uncertainPolicyFor(l, options).replace(/^./, (c) => c.toUpperCase())}`).join(', ') +
      '; blank → 0.',
  );
  if (!entries.some((e) => e.split === 'test')) notes.push('CheXpert has no public test labels: a test split must be carved out of train by patient.');
  return { layout: CHEXPERT_ID, labels, entries, problems, notes };
}

export const chexpertLayout: LayoutParser = {
  id: CHEXPERT_ID,
  name: 'CheXpert (v1.0 / v1.0-small)',
  detect,
  parse,
};
