/**
 * Layout 'class-folders': one sub-folder per class, e.g. Kaggle's Kermany pneumonia set
 * `chest_xray/{train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg` or NIH1000 `{train,valid}/{0_normal,1_abnormal}`.
 * An optional split level above the class folders becomes DatasetEntry.split.
 */
import type { DatasetEntry, LayoutParser, ParsedDataset } from '../types';
import { baseName, isImagePath, segmentsOf, splitFromAncestors, splitFromFolderName } from './paths';
import type { FileEntry, LabelValue, Problem } from '../../run/datasets';
export const CLASS_FOLDERS_ID = 'class-folders';

/** "NORMAL", "0_normal", "No Finding", "no-finding", "negative", "healthy" (any case). */
export function isNormalLike(className: string): boolean {
  const words = className
    .toLowerCase()
    .replace(/[_\-\s.]+/g, ' ')
    .trim()
    .replace(/^\d+ /, '');
  return ['normal', 'no finding', 'nofinding', 'negative', 'healthy'].includes(words);
}

/**
 * Patient ids carried by file names of the public sets:
 * - Kermany et al.: `person123_bacteria_456.jpeg` -> person123; `IM-0115-0001.jpeg` and `NORMAL2-IM-1427-0001.jpeg`
 *   -> IM-0115 / IM-1427. (The NORMAL2- batch may reuse IM numbers of other people: grouping them together only
 *   makes the patient-disjoint split coarser, never leaky.)
 * - NIH ChestX-ray14: `00000013_005.png` -> 00000013 (8-digit patient, 3-digit follow-up).
 */
export function patientIdFromFileName(fileName: string): string | undefined {
  const person = /^(person\d+)_/i.exec(fileName);
  if (person) return person[1].toLowerCase();
  const im = /(?:^|-)(IM-\d+)-\d+/i.exec(fileName);
  if (im) return im[1].toUpperCase();
  const nih = /^(\d{8})_\d{3}\./.exec(fileName);
  if (nih) return nih[1];
  return undefined;
}

/** The folder that directly holds the image, or undefined for files at the root. */
function classFolderOf(path: string): string | undefined {
  const parts = segmentsOf(path);
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

function detect(paths: string[]): number {
  const classes = new Set<string>();
  let images = 0;
  for (const p of paths) {
    if (!isImagePath(p)) continue;
    const folder = classFolderOf(p);
    if (folder === undefined || splitFromFolderName(folder)) continue;
    classes.add(folder.toLowerCase());
    images++;
  }
  if (images === 0) return 0;
  // Two or more class folders is the layout's signature; one folder alone is a weak guess.
  return classes.size >= 2 ? 2 : 0.5;
}

async function parse(files: FileEntry[]): Promise<ParsedDataset> {
  const problems: Problem[] = [];
  const images: { file: FileEntry; classKey: string }[] = [];
  // Class names are merged case-insensitively (train/NORMAL and test/normal are one class); first spelling wins.
  const spelling = new Map<string, string>();
  for (const f of files) {
    if (!isImagePath(f.path)) {
      problems.push({ path: f.path, reason: 'not an image (expected .png, .jpg, .jpeg, .dcm, .bmp or .webp)' });
      continue;
    }
    const folder = classFolderOf(f.path);
    if (folder === undefined || splitFromFolderName(folder)) {
      problems.push({ path: f.path, reason: 'image is not inside a class folder' });
      continue;
    }
    const classKey = folder.toLowerCase();
    if (!spelling.has(classKey)) spelling.set(classKey, folder);
    images.push({ file: f, classKey });
  }

  const classKeys = [...spelling.keys()].sort();
  const classNames = classKeys.map((k) => spelling.get(k)!);
  const notes: string[] = [];
  let labels: string[];
  let labelsOf: (classKey: string) => LabelValue[];

  const normalIndex = classNames.findIndex(isNormalLike);
  if (classKeys.length === 2 && normalIndex >= 0 && !isNormalLike(classNames[1 - normalIndex])) {
    // Binary set with a "normal" folder: one label for the finding, normal = 0 (as the study's RSNA task).
    const positiveKey = classKeys[1 - normalIndex];
    labels = [classNames[1 - normalIndex]];
    labelsOf = (k) => [k === positiveKey ? 1 : 0];
    notes.push(`Class folders: "${classNames[normalIndex]}" is the negative class, one label "${labels[0]}".`);
  } else {
    labels = classNames;
    labelsOf = (k) => classKeys.map((c) => (c === k ? 1 : 0));
    notes.push(`Class folders: ${labels.length} classes (${labels.join(', ')}), one label per class (one-vs-rest).`);
    if (labels.length === 1) notes.push('Only one class folder was found: AUROC needs positives and negatives.');
  }

  const entries: DatasetEntry[] = images.map(({ file, classKey }) => {
    const entry: DatasetEntry = { path: file.path, file: file.file, labels: labelsOf(classKey) };
    const patientId = patientIdFromFileName(baseName(file.path));
    if (patientId !== undefined) entry.patientId = patientId;
    const split = splitFromAncestors(file.path, true);
    if (split !== undefined) entry.split = split;
    return entry;
  });

  const withSplit = entries.filter((e) => e.split !== undefined).length;
  if (withSplit > 0) notes.push(`Split folders found for ${withSplit} of ${entries.length} images.`);
  const patients = new Set(entries.map((e) => e.patientId).filter((p) => p !== undefined));
  if (patients.size > 0) notes.push(`${patients.size} patients recognised from file names.`);

  return { layout: CLASS_FOLDERS_ID, labels, entries, problems, notes };
}

export const classFoldersLayout: LayoutParser = {
  id: CLASS_FOLDERS_ID,
  name: 'One folder per class',
  detect,
  parse: (files) => parse(files),
};
