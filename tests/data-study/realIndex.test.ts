/**
 * The full real index files of the three study datasets (../shared/data/real-index). Expected numbers were
 * counted with Python's csv module (and match real-index/SOURCES.txt); a missing file fails, never skips.
 */
import { describe, expect, it } from 'vitest';
import { readChexpertIndex } from '../../src/data/layouts/chexpert';
import { readGenericIndex } from '../../src/data/layouts/genericCsv';
import { NIH_LABELS } from '../../src/data/layouts/nih';
import { readRsnaIndex } from '../../src/data/layouts/rsna';
import { parseSplitList } from '../../src/data/layouts/splitFiles';
import { computeIndexStats, patientsInSeveralSplits } from '../../src/data/indexStats';
import { assignSplits, selectFraction } from '../../src/data/splits';
import type { DatasetEntry } from '../../src/data/types';
import { blobOf, realIndexFile, rsnaLabelsCsv, textOfGz } from './helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';


const NIH_COUNTS: Record<string, number> = {
  Atelectasis: 11_559, Cardiomegaly: 2_776, Effusion: 13_317, Infiltration: 19_894, Mass: 5_782, Nodule: 6_331,
  Pneumonia: 1_431, Pneumothorax: 5_302, Consolidation: 4_667, Edema: 2_303, Emphysema: 2_516, Fibrosis: 1_686,
  Pleural_Thickening: 3_385, Hernia: 227,
};

let nihIndex: ReturnType<typeof readGenericIndex> | null = null;
/** Read once per file: the tests below share it (the machine is small). */
function readNih() {
  return (nihIndex ??= readNih_());
}

async function readNih_() {
  return readGenericIndex(await blobOf(realIndexFile('Data_Entry_2017_v2020.csv.gz')), 'Data_Entry_2017_v2020.csv.gz', {
    pathColumn: 'Image Index',
    labelListColumn: 'Finding Labels',
    labelNames: [...NIH_LABELS],
    patientColumn: 'Patient ID',
  });
}

function splitList(dataset: string, name: string) {
  return parseSplitList(textOfGz(realIndexFile('medpeft-splits', dataset, `${name}.txt.gz`)), `${name}.txt`);
}

describe.skipIf(SKIP_WITHOUT_SHARED_DATA)('NIH ChestX-ray14 full index', () => {
  it('parses 112,120 rows of 30,805 patients in a few seconds, with the label counts of the release', async () => {
    const started = performance.now();
    const nih = await readNih();
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(nih.rowCount).toBe(112_120);
    expect(nih.problems).toEqual([]);
    const stats = computeIndexStats(nih.labels, nih.rows);
    expect(stats.images).toBe(112_120);
    expect(stats.patients).toBe(30_805);
    expect(Object.fromEntries(stats.labels.map((l) => [l.label, l.positives]))).toEqual(NIH_COUNTS);
    const noFinding = nih.rows.filter((r) => r.labels.every((v) => v === 0)).length;
    expect(noFinding).toBe(60_361);
    expect(stats.labels.find((l) => l.label === 'Hernia')!.prevalence).toBeCloseTo(227 / 112_120, 10);
  });

  it('a seeded random split of the real index never puts a patient in two splits', async () => {
    const nih = await readNih();
    const entries: DatasetEntry[] = nih.rows.map((r) => ({ path: r.imagePath, file: new Blob(), labels: r.labels, patientId: r.patientId }));
    const { entries: split } = assignSplits(entries, { seed: 7 });
    expect(patientsInSeveralSplits(split)).toEqual([]);
    const stats = computeIndexStats(nih.labels, split);
    expect(stats.perSplit.train.images + stats.perSplit.val.images + stats.perSplit.test.images).toBe(112_120);
    expect(stats.perSplit.train.images / 112_120).toBeCloseTo(0.7, 2);
    expect(stats.perSplit.train.patients + stats.perSplit.val.patients + stats.perSplit.test.patients).toBe(30_805);
  });

  it("the study's split lists are patient-disjoint and 1 % of train_list is 785 images, as train_1.txt", () => {
    const train = splitList('NIH_ChestX-ray', 'train_list');
    const val = splitList('NIH_ChestX-ray', 'val_list');
    const test = splitList('NIH_ChestX-ray', 'test_list');
    expect([train.lines.length, val.lines.length, test.lines.length]).toEqual([78_468, 11_219, 22_433]);
    const patient = (p: string) => String(Number(p.slice(0, 8)));
    const items = [train, val, test].flatMap((l) => l.lines.map((line) => ({ labels: line.labels, patientId: patient(line.path), split: l.split })));
    expect(patientsInSeveralSplits(items)).toEqual([]);
    const onePercent = selectFraction(train.lines.map((l) => l.path), 0.01, 0);
    expect(onePercent).toHaveLength(785);
    expect(onePercent).toHaveLength(splitList('NIH_ChestX-ray', 'train_1').lines.length);
    expect(selectFraction(train.lines.map((l) => l.path), 0.1, 0)).toHaveLength(splitList('NIH_ChestX-ray', 'train_10').lines.length);
  });
});

let chexpertIndex: ReturnType<typeof readChexpertIndex> | null = null;
async function readChexpert() {
  return (chexpertIndex ??= blobOf(realIndexFile('chexpert_train.csv.gz')).then((b) => readChexpertIndex(b, 'train.csv', 'train')));
}

describe.skipIf(SKIP_WITHOUT_SHARED_DATA)('CheXpert full train.csv', () => {
  it('parses 223,414 rows, 64,540 patients, 191,027 frontal', async () => {
    const started = performance.now();
    const all = await readChexpert();
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect(all.rows).toHaveLength(223_414);
    expect(all.problems).toEqual([]);
    const stats = computeIndexStats(all.labels, all.rows);
    expect(stats.patients).toBe(64_540);
    expect(stats.withoutPatient).toBe(0);
    expect(all.rows.filter((r) => r.frontal)).toHaveLength(191_027);
  });

  it("the study's default uncertainty mapping reproduces MED-PEFT's train_1 and train_10 labels exactly", async () => {
    const index = await readChexpert();
    const byPath = new Map(index.rows.map((r) => [r.csvPath, r.labels]));
    for (const name of ['train_1', 'train_10']) {
      const list = splitList('CheXpert', name);
      expect(list.lines.length).toBe(name === 'train_1' ? 2_234 : 22_341);
      const mismatched = list.lines.filter((line) => JSON.stringify(byPath.get(line.path)) !== JSON.stringify(line.labels));
      expect(mismatched).toEqual([]);
    }
  });

  it('frontal-only with U-Ignore: lateral rows left out, uncertain cells -1 and counted apart', async () => {
    const index = await readChexpertIndex(await blobOf(realIndexFile('chexpert_train.csv.gz')), 'train.csv', 'train', {
      frontalOnly: true,
      uncertain: { Atelectasis: 'ignore' },
    });
    expect(index.rows).toHaveLength(191_027);
    expect(index.skippedLateral).toBe(32_387);
    const atelectasis = computeIndexStats(index.labels, index.rows).labels[0];
    // Python, frontal rows: Atelectasis 1.0 -> 29,720, -1.0 -> 29,863, 0.0 or blank -> 1,025 + 130,419.
    expect(atelectasis).toMatchObject({ label: 'Atelectasis', positives: 29_720, ignored: 29_863, negatives: 131_444 });
  });
});

describe.skipIf(SKIP_WITHOUT_SHARED_DATA)('RSNA Pneumonia stage 2 labels (zip, unpacked with fflate)', () => {
  it('has 30,227 rows, 26,684 images and 6,012 positive images', async () => {
    const index = await readRsnaIndex(new Blob([rsnaLabelsCsv() as BlobPart]), 'stage_2_train_labels.csv');
    expect(index.rows).toBe(30_227);
    expect(index.targets.size).toBe(26_684);
    expect([...index.targets.values()].filter((v) => v === 1)).toHaveLength(6_012);
    const stats = computeIndexStats(['Pneumonia'], [...index.targets].map(([id, t]) => ({ labels: [t], patientId: id })));
    expect(stats.patients).toBe(26_684);
  });

  it("the study's RSNA train/val labels agree with max(Target) per image", async () => {
    const index = await readRsnaIndex(new Blob([rsnaLabelsCsv() as BlobPart]), 'stage_2_train_labels.csv');
    for (const name of ['train_list', 'val_list']) {
      const list = splitList('RSNA_Pneumonia', name);
      const ids = list.lines.map((l) => l.path.replace(/^.*\//, '').replace(/\.dcm$/, ''));
      expect(ids.every((id) => index.targets.has(id))).toBe(true);
      expect(list.lines.filter((l, i) => index.targets.get(ids[i]) !== l.labels[0])).toEqual([]);
    }
  });
});
