/**
 * Layout 'nih': NIH ChestX-ray14 (Wang et al., CVPR 2017). A `Data_Entry_2017*.csv` index (the original file or
 * the v2020 re-release; same required columns) plus PNGs anywhere below the root, matched by file name.
 * Optional `train_val_list.txt` / `test_list.txt` (the official patient-disjoint split) set the split.
 */
import Papa from 'papaparse';
import { FormatError } from '../../formats/formatError';
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { carveValidation } from '../splits';
import { baseName, isImagePath, splitFromAncestors } from './paths';
import type { FileEntry, LabelValue, Problem, Split } from '../../run/datasets';
import { mulberry32 } from '../../run/random';

export const NIH_ID = 'nih';

/** The study's 14 labels in its order (study.md; the order of MED-PEFT's NIH split files). */
export const NIH_LABELS = [
  'Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax',
  'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia',
] as const;

const NO_FINDING = 'No Finding';
const REQUIRED_COLUMNS = ['Image Index', 'Finding Labels', 'Patient ID'] as const;
const INDEX_FILE = /^Data_Entry_2017.*\.csv$/i;
/** Up to this many rows without an image are listed one by one; more become one summary line. */
const MAX_LISTED_MISSING_ROWS = 20;
/** Share of train_val that becomes val: the study's 11,219 / (78,468 + 11,219) ≈ 1/8. */
const NIH_VAL_SHARE = 0.125;

function detect(paths: string[]): number {
  // The index file is unambiguous; it wins over the class-folder guess when both fit (e.g. NIH1000).
  return paths.some((p) => INDEX_FILE.test(baseName(p))) ? 10 : 0;
}

type Row = Record<string, string | undefined>;

async function readIndex(file: FileEntry): Promise<Row[]> {
  const name = baseName(file.path);
  const parsed = Papa.parse<Row>(await file.file.text(), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const fields = parsed.meta.fields ?? [];
  for (const column of REQUIRED_COLUMNS) {
    if (!fields.includes(column)) throw new FormatError('csv', 'missing', `${name}: missing column '${column}'`);
  }
  return parsed.data;
}

export function labelsFromFindings(findings: string): { labels: LabelValue[]; unknown: string[] } {
  const labels: LabelValue[] = NIH_LABELS.map(() => 0);
  const unknown: string[] = [];
  for (const raw of findings.split('|')) {
    const name = raw.trim();
    if (name === '' || name === NO_FINDING) continue;
    const index = (NIH_LABELS as readonly string[]).indexOf(name);
    if (index < 0) unknown.push(name);
    else labels[index] = 1;
  }
  return { labels, unknown };
}

async function readList(file: FileEntry | undefined): Promise<Set<string> | undefined> {
  if (!file) return undefined;
  const text = await file.file.text();
  return new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).map((l) => baseName(l.split(/\s+/)[0])));
}

function findByName(files: FileEntry[], name: string): FileEntry | undefined {
  return files.find((f) => baseName(f.path).toLowerCase() === name);
}

/** What the whole index holds (also the rows whose images were not dropped): rows, patients, positives per label. */
function wholeIndexNote(rows: Row[], indexName: string): string {
  const patients = new Set<string>();
  const positives = new Array<number>(NIH_LABELS.length).fill(0);
  for (const row of rows) {
    const patient = (row['Patient ID'] ?? '').trim();
    if (patient) patients.add(patient);
    labelsFromFindings(row['Finding Labels'] ?? '').labels.forEach((v, i) => {
      if (v === 1) positives[i]++;
    });
  }
  const f = (n: number) => n.toLocaleString('en-US');
  const perLabel = NIH_LABELS.map((l, i) => `${l} ${f(positives[i])}`).join(', ');
  return `${indexName} (whole index): ${f(rows.length)} rows, ${f(patients.size)} patients; positives: ${perLabel}.`;
}

async function parse(files: FileEntry[], options?: Record<string, unknown>): Promise<ParsedDataset> {
  const seed = typeof options?.seed === 'number' ? options.seed : 0;
  const indexFiles = files.filter((f) => INDEX_FILE.test(baseName(f.path))).sort((a, b) => a.path.localeCompare(b.path));
  if (indexFiles.length === 0) throw new Error('NIH layout: no Data_Entry_2017*.csv found');
  const indexFile = indexFiles[0];
  const indexName = baseName(indexFile.path);
  const notes: string[] = [];
  if (indexFiles.length > 1) notes.push(`Several index files found; using ${indexFile.path}.`);
  const rows = await readIndex(indexFile);

  const problems: Problem[] = [];
  const images = new Map<string, FileEntry>();
  for (const f of files) {
    if (!isImagePath(f.path)) continue;
    const name = baseName(f.path);
    const first = images.get(name);
    if (first) problems.push({ path: f.path, reason: `duplicate file name (also at ${first.path}); the first one is used` });
    else images.set(name, f);
  }

  const entries: DatasetEntry[] = [];
  const rowNames = new Set<string>();
  const missing: string[] = [];
  for (const row of rows) {
    const name = (row['Image Index'] ?? '').trim();
    if (name === '') continue;
    if (rowNames.has(name)) {
      if (images.has(name)) problems.push({ path: images.get(name)!.path, reason: `listed twice in ${indexName}; the first row is used` });
      continue;
    }
    rowNames.add(name);
    const image = images.get(name);
    if (!image) {
      missing.push(name);
      continue;
    }
    const { labels, unknown } = labelsFromFindings(row['Finding Labels'] ?? '');
    if (unknown.length > 0) {
      problems.push({ path: image.path, reason: `unknown label ${unknown.map((u) => `'${u}'`).join(', ')} in ${indexName}` });
      continue;
    }
    const entry: DatasetEntry = { path: image.path, file: image.file, labels };
    const patientId = (row['Patient ID'] ?? '').trim();
    if (patientId !== '') entry.patientId = patientId;
    entries.push(entry);
  }

  if (missing.length > MAX_LISTED_MISSING_ROWS) {
    problems.push({
      path: indexFile.path,
      reason: `${missing.length.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} rows have no image in the folder (e.g. ${missing.slice(0, 3).join(', ')}); only the images present are used`,
    });
  } else {
    for (const name of missing) problems.push({ path: name, reason: `row in ${indexName} but no image with this name` });
  }
  for (const [name, f] of images) {
    if (!rowNames.has(name)) problems.push({ path: f.path, reason: `image has no row in ${indexName}` });
  }

  const split = await applyOfficialLists(files, entries, seed, notes);
  const patients = new Set(split.map((e) => e.patientId).filter((p) => p !== undefined));
  notes.unshift(`NIH ChestX-ray14: ${split.length.toLocaleString('en-US')} images with a row in ${indexName}, ${patients.size.toLocaleString('en-US')} patients.`);
  notes.splice(1, 0, wholeIndexNote(rows, indexName));
  return { layout: NIH_ID, labels: [...NIH_LABELS], entries: split, problems, notes };
}

/**
 * train_val_list.txt / test_list.txt when present (val is carved from train_val by patient, seeded);
 * otherwise a split folder level (NIH1000's train/ valid/) when present; otherwise none (assignSplits decides).
 */
async function applyOfficialLists(files: FileEntry[], entries: DatasetEntry[], seed: number, notes: string[]): Promise<DatasetEntry[]> {
  const trainVal = await readList(findByName(files, 'train_val_list.txt'));
  const test = await readList(findByName(files, 'test_list.txt'));
  if (trainVal || test) {
    let outside = 0;
    const listed = entries.map((e) => {
      const name = baseName(e.path);
      const split: Split | undefined = test?.has(name) ? 'test' : trainVal?.has(name) ? 'train' : undefined;
      if (split === undefined) outside++;
      return split === undefined ? { ...e } : { ...e, split };
    });
    notes.push(`Official split lists used (${[trainVal && 'train_val_list.txt', test && 'test_list.txt'].filter(Boolean).join(', ')}); val = 1/8 of train_val by patient, seed ${seed}.`);
    if (outside > 0) notes.push(`${outside} images are in neither list.`);
    return carveValidation(listed, NIH_VAL_SHARE, mulberry32(seed));
  }
  let fromFolders = 0;
  const result = entries.map((e) => {
    const split = splitFromAncestors(e.path, false);
    if (split === undefined) return e;
    fromFolders++;
    return { ...e, split };
  });
  if (fromFolders > 0) notes.push(`Split folders found for ${fromFolders} of ${entries.length} images.`);
  return result;
}

export const nihLayout: LayoutParser = {
  id: NIH_ID,
  name: 'NIH ChestX-ray14',
  detect,
  parse,
};
