/**
 * The study's exact split lists (RL4M/MED-PEFT DatasetsSplits/<dataset>/): train_1.txt, train_10.txt,
 * train_list.txt, val_list.txt, test_list.txt, one image per line as `<path> <0/1 ...>`. The path form differs
 * per dataset: NIH gives the file name ("00003547_001.png"), CheXpert the CSV Path
 * ("CheXpert-v1.0-small/train/patient08465/study1/view2_lateral.jpg"), RSNA "stage_2_train_images/<id>.dcm".
 * Lines are matched to files by whole-segment path suffix, so any parent folder works.
 *
 * Two ways in: the 'split-files' layout builds the dataset from the lists alone (labels come from the lists,
 * the dataset's own CSV is not needed); `applySplitSet` restricts entries another layout parsed.
 */
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { textStreamOf } from '../../formats/csvStream';
import { PathIndex, baseNameOf, extensionOf, segmentsOf, summariseProblems } from '../pathIndex';
import { chexpertPatientId } from './chexpert';
import { NIH_LABELS } from './nih';
import { RSNA_LABELS } from './rsna';
import type { FileEntry, LabelValue, Problem, Split } from '../../run/datasets';
import { CHEXPERT_COMPETITION_LABELS, type TrainListName, SPLIT_FILES_ID } from '../../run/layoutOptions';
const LIST_SPLIT: Record<string, Split> = { train_1: 'train', train_10: 'train', train_list: 'train', val_list: 'val', test_list: 'test' };
const LIST_FILE = /^(train_1|train_10|train_list|val_list|test_list)\.txt(\.gz)?$/i;

export interface SplitListLine {
  path: string;
  labels: LabelValue[];
}

export interface SplitList {
  /** train_1, train_10, train_list, val_list or test_list. */
  name: string;
  split: Split;
  lines: SplitListLine[];
  problems: Problem[];
  /** True when no line has labels: NIH's own test_list.txt / train_val_list.txt share the names but list files only. */
  unlabelled: boolean;
}

export interface SplitSet {
  lists: Partial<Record<Split, SplitList>>;
  notes: string[];
}

export type SplitDatasetKind = 'nih' | 'chexpert' | 'rsna' | 'unknown';

export function isSplitListPath(path: string): boolean {
  return LIST_FILE.test(baseNameOf(path));
}

const isLabelToken = (token: string) => /^-?\d+$/.test(token);

/**
 * Splits `<path> <labels...>`: the labels are the trailing integer tokens, so a path may contain spaces.
 * Returns null for a line without labels (a bare path, as in NIH's own list files).
 */
export function splitListLine(line: string): { path: string; values: string[] } | null {
  const tokens = line.trim().split(/\s+/);
  let first = tokens.length;
  while (first > 1 && isLabelToken(tokens[first - 1])) first--;
  if (first === tokens.length || tokens[0] === '') return null;
  // Peel the label tokens off the end of the original text so runs of spaces inside a file name survive.
  let path = line.trim();
  for (let i = tokens.length - 1; i >= first; i--) path = path.slice(0, path.length - tokens[i].length).trimEnd();
  return { path, values: tokens.slice(first) };
}

export function parseSplitList(text: string, fileName: string): SplitList {
  const name = baseNameOf(fileName).replace(/\.txt(\.gz)?$/i, '').toLowerCase();
  const split = LIST_SPLIT[name];
  if (!split) throw new Error(`${fileName}: not a split list (expected train_1, train_10, train_list, val_list or test_list)`);
  const lines: SplitListLine[] = [];
  const problems: Problem[] = [];
  let width = -1;
  let bare = 0;
  let nonEmpty = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    nonEmpty++;
    const parsed = splitListLine(raw);
    if (!parsed) {
      bare++;
      return void problems.push({ path: `${fileName} line ${i + 1}`, reason: `expected '<path> <0/1 ...>', got '${raw.slice(0, 80)}'` });
    }
    if (parsed.values.some((v) => v !== '0' && v !== '1')) {
      return void problems.push({ path: `${fileName} line ${i + 1}`, reason: `labels must be 0 or 1, got '${parsed.values.join(' ')}'` });
    }
    if (width === -1) width = parsed.values.length;
    if (parsed.values.length !== width) {
      return void problems.push({ path: `${fileName} line ${i + 1}`, reason: `${parsed.values.length} labels where the first line has ${width}` });
    }
    lines.push({ path: parsed.path, labels: parsed.values.map((v) => (v === '1' ? 1 : 0)) });
  });
  if (nonEmpty > 0 && bare === nonEmpty) return { name, split, lines: [], problems: [], unlabelled: true };
  return { name, split, lines, problems, unlabelled: false };
}

export async function readSplitList(file: Blob, fileName: string): Promise<SplitList> {
  let text = '';
  const reader = (await textStreamOf(file)).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
  return parseSplitList(text, fileName);
}

/**
 * One list per split. Train: `train` when given, else the largest non-empty train list (MED-PEFT's CheXpert
 * train_list.txt is empty: the study trained CheXpert on train_1 / train_10 only).
 */
export function chooseSplitSet(lists: SplitList[], train?: TrainListName): SplitSet {
  const notes: string[] = [];
  const set: SplitSet = { lists: {}, notes };
  const nonEmpty = lists.filter((l) => l.lines.length > 0);
  for (const l of lists) {
    if (l.unlabelled) notes.push(`${l.name}.txt lists file names without labels (not a study split list): ignored.`);
    else if (l.lines.length === 0) notes.push(`${l.name}.txt is empty: ignored.`);
  }
  const trains = nonEmpty.filter((l) => l.split === 'train').sort((a, b) => b.lines.length - a.lines.length);
  const chosenTrain = train !== undefined ? trains.find((l) => l.name === train) : trains[0];
  if (train !== undefined && !chosenTrain) throw new Error(`${train}.txt was asked for but is not among the dropped split files`);
  if (chosenTrain) set.lists.train = chosenTrain;
  for (const split of ['val', 'test'] as const) {
    const list = nonEmpty.find((l) => l.split === split);
    if (list) set.lists[split] = list;
  }
  const used = Object.values(set.lists).map((l) => `${l!.name} (${l!.lines.length.toLocaleString('en-US')})`);
  notes.push(`Study split files: ${used.join(', ')}.`);
  return set;
}

/** Which dataset the list paths belong to, from their form. */
export function splitDatasetKind(paths: readonly string[]): SplitDatasetKind {
  const sample = paths.slice(0, 50);
  if (sample.length === 0) return 'unknown';
  if (sample.every((p) => /^\d{8}_\d{3}\.png$/.test(baseNameOf(p)))) return 'nih';
  if (sample.every((p) => /(^|\/)CheXpert-v1\.0[^/]*\//.test(p) || chexpertPatientId(p) !== undefined)) return 'chexpert';
  if (sample.every((p) => extensionOf(p) === 'dcm')) return 'rsna';
  return 'unknown';
}

export function splitListLabelNames(kind: SplitDatasetKind, width: number): string[] {
  const known: Record<Exclude<SplitDatasetKind, 'unknown'>, readonly string[]> = {
    nih: NIH_LABELS, // the lists' 14 columns follow the study's order
    chexpert: CHEXPERT_COMPETITION_LABELS,
    rsna: RSNA_LABELS,
  };
  if (kind !== 'unknown' && known[kind].length === width) return [...known[kind]];
  return Array.from({ length: width }, (_, i) => `label ${i + 1}`);
}

/** The patient of a listed image, derived the way each dataset encodes it in its file paths. */
export function patientIdFromListPath(kind: SplitDatasetKind, path: string): string | undefined {
  if (kind === 'nih') {
    const m = /^(\d{8})_\d{3}\.png$/.exec(baseNameOf(path));
    // NIH's CSV writes `Patient ID` without the file name's zero padding (00000001 -> 1).
    return m ? String(Number(m[1])) : undefined;
  }
  if (kind === 'chexpert') return chexpertPatientId(path);
  if (kind === 'rsna') return baseNameOf(path).replace(/\.dcm$/i, '');
  return undefined;
}

/** CheXpert lists name `CheXpert-v1.0-small/...`; dropping full v1.0 or a renamed folder must still match. */
function listPathForMatching(path: string): string {
  const segments = segmentsOf(path);
  return /^CheXpert-v1\.0/i.test(segments[0] ?? '') ? segments.slice(1).join('/') : segments.join('/');
}

interface Selection {
  matched: { line: SplitListLine; split: Split; file: FileEntry }[];
  problems: Problem[];
}

function selectFiles(set: SplitSet, candidates: readonly FileEntry[]): Selection {
  const index = new PathIndex(candidates);
  const matched: Selection['matched'] = [];
  const problems: Problem[] = [];
  const taken = new Map<FileEntry, string>();
  for (const split of ['train', 'val', 'test'] as const) {
    const list = set.lists[split];
    if (!list) continue;
    problems.push(...list.problems);
    const missing: string[] = [];
    for (const line of list.lines) {
      const found = index.resolve(listPathForMatching(line.path));
      if ('missing' in found) missing.push(line.path);
      else if ('ambiguous' in found) problems.push({ path: line.path, reason: `several dropped files match this ${list.name} line: ${found.ambiguous.join(', ')}` });
      else if (taken.has(found.file)) problems.push({ path: line.path, reason: `listed in both ${taken.get(found.file)} and ${list.name}: kept in ${taken.get(found.file)}` });
      else {
        taken.set(found.file, list.name);
        matched.push({ line, split, file: found.file });
      }
    }
    // Always one line per list: a 1 % list dropped with a partial download can miss thousands of images.
    problems.push(...summariseProblems(missing, `listed in ${list.name} but not in the dropped folder`, `${list.name}.txt`, 0));
  }
  return { matched, problems };
}

/**
 * Restricts a parsed dataset to exactly the listed images, with the lists' split and labels. Entries not listed
 * are dropped (counted in a note); listed images that are absent become one summary problem per list.
 */
export function applySplitSet(parsed: ParsedDataset, set: SplitSet): ParsedDataset {
  const asFiles = parsed.entries.map((e) => ({ path: e.path, file: e.file }));
  const byFile = new Map(asFiles.map((f, i) => [f, parsed.entries[i]] as const));
  const { matched, problems } = selectFiles(set, asFiles);
  const width = matched[0]?.line.labels.length ?? parsed.labels.length;
  const kind = splitDatasetKind(matched.map((m) => m.line.path));
  const labels = parsed.labels.length === width ? parsed.labels : splitListLabelNames(kind, width);
  const entries: DatasetEntry[] = matched.map(({ line, split, file }) => ({ ...byFile.get(file)!, labels: line.labels, split }));
  const notes = [...parsed.notes, ...set.notes];
  const dropped = parsed.entries.length - entries.length;
  if (dropped > 0) notes.push(`${dropped.toLocaleString('en-US')} images are in no chosen split list and were left out.`);
  if (labels !== parsed.labels) notes.push(`Labels taken from the split lists: ${labels.join(', ')}.`);
  return { ...parsed, labels, entries, problems: [...parsed.problems, ...problems], notes };
}

export async function readSplitLists(files: readonly FileEntry[]): Promise<SplitList[]> {
  const listFiles = files.filter((f) => isSplitListPath(f.path));
  return Promise.all(listFiles.map((f) => readSplitList(f.file, f.path)));
}

/** Names only the study uses; test_list.txt alone is also NIH's own (label-less) list and proves nothing. */
const STUDY_ONLY_LIST = /^(train_1|train_10|train_list|val_list)\.txt(\.gz)?$/i;

function detect(paths: string[]): number {
  // Above every dataset layout (10): when the study's lists come with a dataset, they define what is used.
  return paths.some((p) => STUDY_ONLY_LIST.test(baseNameOf(p))) ? 11 : 0;
}

export interface SplitFilesOptions {
  /** Which training list to use when several are dropped; default the largest non-empty one. */
  train?: TrainListName;
}

async function parse(files: FileEntry[], rawOptions: Record<string, unknown> = {}): Promise<ParsedDataset> {
  const options = rawOptions as SplitFilesOptions;
  const set = chooseSplitSet(await readSplitLists(files), options.train);
  const imageLike = files.filter((f) => ['png', 'jpg', 'jpeg', 'dcm'].includes(extensionOf(f.path)));
  const { matched, problems } = selectFiles(set, imageLike);
  const allLines = Object.values(set.lists).flatMap((l) => l!.lines);
  const kind = splitDatasetKind(allLines.map((l) => l.path));
  const labels = splitListLabelNames(kind, allLines[0]?.labels.length ?? 0);
  const entries: DatasetEntry[] = matched.map(({ line, split, file }) => ({
    path: segmentsOf(file.path).join('/'),
    file: file.file,
    labels: line.labels,
    patientId: patientIdFromListPath(kind, line.path),
    split,
  }));
  const unlisted = imageLike.length - matched.length;
  const notes = [...set.notes, `Dataset recognised from the list paths: ${kind}; labels: ${labels.join(', ')}.`];
  if (unlisted > 0) notes.push(`${unlisted.toLocaleString('en-US')} images are in no chosen split list and were left out.`);
  return { layout: SPLIT_FILES_ID, labels, entries, problems, notes };
}

export const splitFilesLayout: LayoutParser = {
  id: SPLIT_FILES_ID,
  name: "The study's split files (train_1 / train_10 / train_list / val_list / test_list)",
  detect,
  parse,
};
