/**
 * RSNA Pneumonia Detection Challenge (2018, stage 2) as Kaggle ships it:
 *   stage_2_train_labels.csv (patientId,x,y,width,height,Target) + stage_2_train_images/<patientId>.dcm
 * A positive patient has one row per bounding box; the image label is the maximum Target over its rows.
 * `patientId` is the CSV's column and the DICOM's file stem (an anonymised image id, not a person identifier
 * read from DICOM tags: nothing here opens the DICOM header). stage_2_test_images/ is unlabelled in the public
 * release; the study's test_list.txt labels it (see splitFiles.ts).
 */
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { streamCsvRows } from '../../formats/csvStream';
import { PathIndex, baseNameOf, extensionOf, segmentsOf, summariseProblems } from '../pathIndex';
import type { FileEntry, LabelValue, Problem } from '../../run/datasets';
export const RSNA_ID = 'rsna';
/** One label. Named after the finding rather than the CSV's `Target` column so the UI reads naturally. */
export const RSNA_LABELS = ['Pneumonia'] as const;

const LABELS_CSV = /^stage_\d_train_labels\.csv$/i;
const REQUIRED_COLUMNS = ['patientId', 'Target'] as const;

export interface RsnaIndex {
  /** patientId -> max Target over its rows, in first-seen order. */
  targets: Map<string, LabelValue>;
  rows: number;
  problems: Problem[];
}

/** Reads stage_2_train_labels.csv into one label per image (Target = max over the patient's box rows). */
export async function readRsnaIndex(csv: Blob, fileName: string): Promise<RsnaIndex> {
  const targets = new Map<string, LabelValue>();
  const problems: Problem[] = [];
  const result = await streamCsvRows(csv, {
    fileName,
    requiredColumns: REQUIRED_COLUMNS,
    onRow: (row, n) => {
      const id = (row.patientId ?? '').trim();
      const target = (row.Target ?? '').trim();
      if (!id) return void problems.push({ path: `${fileName} row ${n}`, reason: "empty 'patientId' cell" });
      if (target !== '0' && target !== '1') {
        return void problems.push({ path: `${fileName} row ${n}`, reason: `unknown Target value '${target}' for ${id} (expected 0 or 1)` });
      }
      const value: LabelValue = target === '1' ? 1 : 0;
      targets.set(id, Math.max(targets.get(id) ?? 0, value) as LabelValue);
    },
  });
  return { targets, rows: result.rows, problems };
}

function detect(paths: string[]): number {
  return paths.some((p) => LABELS_CSV.test(baseNameOf(p))) ? 10 : 0;
}

function isUnlabelledTestImage(path: string): boolean {
  return segmentsOf(path).some((s) => /^stage_\d_test_images$/i.test(s));
}

async function parse(files: FileEntry[]): Promise<ParsedDataset> {
  const csvs = files.filter((f) => LABELS_CSV.test(baseNameOf(f.path))).sort((a, b) => b.path.localeCompare(a.path));
  if (csvs.length === 0) throw new Error('RSNA Pneumonia: no stage_2_train_labels.csv found in the dropped folder');
  // stage_2 supersedes stage_1 (it relabelled and extended it); the reverse sort puts stage_2 first.
  const csv = csvs[0];
  const index = await readRsnaIndex(csv.file, csv.path);
  const problems: Problem[] = [...index.problems];
  const notes: string[] = [];
  if (csvs.length > 1) notes.push(`Using ${csv.path}; ignored ${csvs.slice(1).map((c) => c.path).join(', ')}.`);

  const dicoms = new PathIndex(files, (p) => extensionOf(p) === 'dcm');
  const entries: DatasetEntry[] = [];
  const used = new Set<FileEntry>();
  const withoutImage: string[] = [];
  for (const [id, target] of index.targets) {
    const candidates = dicoms.named(`${id}.dcm`).filter((f) => !isUnlabelledTestImage(f.path));
    if (candidates.length === 0) {
      withoutImage.push(id);
      continue;
    }
    if (candidates.length > 1) {
      problems.push({ path: `${id}.dcm`, reason: `several files have this name: ${candidates.map((f) => f.path).sort().join(', ')}` });
      continue;
    }
    used.add(candidates[0]);
    entries.push({ path: segmentsOf(candidates[0].path).join('/'), file: candidates[0].file, labels: [target], patientId: id });
  }
  problems.push(...summariseProblems(withoutImage, 'CSV row has no DICOM in the dropped folder', csv.path));

  const unused = files.filter((f) => extensionOf(f.path) === 'dcm' && !used.has(f));
  const testImages = unused.filter((f) => isUnlabelledTestImage(f.path));
  const orphans = unused.filter((f) => !isUnlabelledTestImage(f.path));
  problems.push(...summariseProblems(orphans.map((f) => f.path), `DICOM has no row in ${baseNameOf(csv.path)}`, 'RSNA images'));
  if (testImages.length > 0) {
    notes.push(
      `${testImages.length.toLocaleString('en-US')} DICOMs in stage_2_test_images have no public labels and were left out ` +
        '(drop the study\'s test_list.txt with the folder to use them).',
    );
  }
  const positives = entries.filter((e) => e.labels[0] === 1).length;
  notes.push(
    `RSNA Pneumonia: ${index.rows.toLocaleString('en-US')} rows, ${index.targets.size.toLocaleString('en-US')} images ` +
      `(${entries.length.toLocaleString('en-US')} found, ${positives.toLocaleString('en-US')} positive); label 'Pneumonia' = max Target per image.`,
  );
  return { layout: RSNA_ID, labels: [...RSNA_LABELS], entries, problems, notes };
}

export const rsnaLayout: LayoutParser = {
  id: RSNA_ID,
  name: 'RSNA Pneumonia (DICOM)',
  detect,
  parse: (files) => parse(files),
};
