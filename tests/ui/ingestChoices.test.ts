import { describe, expect, it } from 'vitest';
import { readChexpertIndex } from '../../src/data/layouts/chexpert';
import {
  chexpertParserOptions,
  choiceFromPreview,
  defaultChexpertChoice,
  genericCsvParserOptions,
  genericCsvProblems,
  parserOptionsByLayout,
  trainFractionOf,
  uncertainRows,
} from '../../src/ui/view/ingestChoices';
import { CHEXPERT_ID, GENERIC_CSV_ID, SPLIT_FILES_ID, type CsvPreview } from '../../src/run/layoutOptions';
describe('CheXpert choices', () => {
  it('default to the study: 5 labels, its U-Ones / U-Zeros mapping, all views', () => {
    const choice = defaultChexpertChoice();
    expect(chexpertParserOptions(choice)).toEqual({ labels: '5' });
    expect(uncertainRows(choice).map((r) => [r.label, r.policy])).toEqual([
      ['Atelectasis', 'ones'],
      ['Cardiomegaly', 'zeros'],
      ['Consolidation', 'zeros'],
      ['Edema', 'ones'],
      ['Pleural Effusion', 'ones'],
    ]);
  });
  it('list all 14 labels, U-Ignore by default outside the study five', () => {
    const rows = uncertainRows({ ...defaultChexpertChoice(), labels: '14' });
    expect(rows).toHaveLength(14);
    expect(rows.find((r) => r.label === 'Fracture')).toEqual({ label: 'Fracture', policy: 'ignore', studyDefault: 'ignore' });
    expect(rows.find((r) => r.label === 'Edema')?.studyDefault).toBe('ones');
  });
  it('pass only the overrides that differ from the study, plus frontal-only when on', () => {
    const choice = { labels: '5' as const, uncertain: { Edema: 'zeros' as const, Atelectasis: 'ones' as const }, frontalOnly: true };
    expect(chexpertParserOptions(choice)).toEqual({ labels: '5', uncertain: { Edema: 'zeros' }, frontalOnly: true });
  });
  it('become labels the CheXpert parser applies (U-Zeros override on a real uncertain Edema cell)', async () => {
    const csv = 'Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices\n'
      + 'CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,,,,1.0,,-1.0,,,-1.0,,-1.0,,,1.0\n'
      + 'CheXpert-v1.0-small/train/patient00001/study1/view2_lateral.jpg,Female,68,Lateral,,,,,1.0,,-1.0,,,,,,,,\n';
    const options = chexpertParserOptions({ labels: '5', uncertain: { Edema: 'zeros' }, frontalOnly: true });
    const index = await readChexpertIndex(new Blob([csv]), 'train.csv', 'train', options);
    expect(index.skippedLateral).toBe(1);
    // order: Atelectasis, Cardiomegaly, Consolidation, Edema, Pleural Effusion
    expect(index.rows.map((r) => r.labels)).toEqual([[1, 0, 0, 0, 1]]);
  });
});

const NIH_PREVIEW: CsvPreview = {
  path: 'nih/Data_Entry_2017.csv',
  header: ['Image Index', 'Finding Labels', 'Follow-up #', 'Patient ID'],
  sample: [],
  suggestion: { pathColumn: 'Image Index', labelColumns: [], labelListColumn: 'Finding Labels', patientColumn: 'Patient ID' },
};

const BINARY_PREVIEW: CsvPreview = {
  path: 'data/labels.csv',
  header: ['file', 'pneumonia', 'effusion', 'split'],
  sample: [],
  suggestion: { pathColumn: 'file', labelColumns: ['pneumonia', 'effusion'], splitColumn: 'split' },
};

describe('generic CSV choices', () => {
  it('start from the suggestion: a findings list column', () => {
    const choice = choiceFromPreview(NIH_PREVIEW);
    expect(choice).toMatchObject({ csvPath: 'nih/Data_Entry_2017.csv', pathColumn: 'Image Index', labelMode: 'list', labelListColumn: 'Finding Labels' });
    expect(genericCsvProblems(choice, NIH_PREVIEW)).toEqual([]);
    expect(genericCsvParserOptions(choice)).toEqual({
      csvPath: 'nih/Data_Entry_2017.csv',
      pathColumn: 'Image Index',
      labelListColumn: 'Finding Labels',
      patientColumn: 'Patient ID',
    });
  });
  it('start from the suggestion: binary label columns and a split column', () => {
    const choice = choiceFromPreview(BINARY_PREVIEW);
    expect(choice.labelMode).toBe('columns');
    expect(genericCsvParserOptions(choice)).toEqual({ csvPath: 'data/labels.csv', pathColumn: 'file', labelColumns: ['pneumonia', 'effusion'], splitColumn: 'split' });
  });
  it('name what is missing before an ingest can start', () => {
    const choice = choiceFromPreview(BINARY_PREVIEW);
    expect(genericCsvProblems({ ...choice, pathColumn: '' }, BINARY_PREVIEW)).toEqual(['Choose the column that holds the image paths.']);
    expect(genericCsvProblems({ ...choice, labelColumns: [] }, BINARY_PREVIEW)).toEqual(['Choose at least one label column.']);
    expect(genericCsvProblems({ ...choice, labelColumns: ['file'] }, BINARY_PREVIEW)).toEqual(['The image path column cannot also be a label column.']);
    expect(genericCsvProblems({ ...choice, labelMode: 'list', labelListColumn: '' }, BINARY_PREVIEW)).toEqual(['Choose the column that lists the findings.']);
    expect(genericCsvProblems(choice, undefined)).toEqual(['Choose a CSV file.']);
    expect(genericCsvProblems(choice, { ...BINARY_PREVIEW, error: 'labels.csv: empty CSV (no header row)' })).toEqual(['labels.csv: empty CSV (no header row)']);
  });
});

describe('parserOptionsByLayout', () => {
  it('keys each layout’s options by its id; the study list and CSV columns only when chosen', () => {
    expect(parserOptionsByLayout(defaultChexpertChoice(), 'largest')).toEqual({ [CHEXPERT_ID]: { labels: '5' } });
    const all = parserOptionsByLayout({ ...defaultChexpertChoice(), labels: '14' }, 'train_1', choiceFromPreview(BINARY_PREVIEW));
    expect(all[CHEXPERT_ID]).toEqual({ labels: '14' });
    expect(all[SPLIT_FILES_ID]).toEqual({ train: 'train_1' });
    expect(all[GENERIC_CSV_ID]).toMatchObject({ pathColumn: 'file', labelColumns: ['pneumonia', 'effusion'] });
  });
});

describe('trainFractionOf', () => {
  it('turns the study’s label fractions and custom percentages into a share of the training split', () => {
    expect(trainFractionOf('1', 50)).toBe(0.01);
    expect(trainFractionOf('10', 50)).toBe(0.1);
    expect(trainFractionOf('100', 50)).toBe(1);
    expect(trainFractionOf('custom', 25)).toBe(0.25);
    expect(trainFractionOf('custom', 0.5)).toBe(0.005);
  });
  it('refuses a custom percentage outside (0, 100]', () => {
    expect(trainFractionOf('custom', 0)).toBeUndefined();
    expect(trainFractionOf('custom', 101)).toBeUndefined();
    expect(trainFractionOf('custom', Number.NaN)).toBeUndefined();
  });
});
