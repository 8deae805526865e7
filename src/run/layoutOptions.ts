/**
 * The options a user can give a dataset layout before ingest (CheXpert's label set and uncertain-label policy,
 * a generic CSV's columns, which of the study's training lists), and the study facts they default to. Plain
 * data and pure functions: the page builds the choices, src/data/layouts/ reads them.
 */
export const CHEXPERT_ID = 'chexpert';

/** The 14 observations in the CSV's column order. */
export const CHEXPERT_ALL_LABELS = [
  'No Finding', 'Enlarged Cardiomediastinum', 'Cardiomegaly', 'Lung Opacity', 'Lung Lesion', 'Edema',
  'Consolidation', 'Pneumonia', 'Atelectasis', 'Pneumothorax', 'Pleural Effusion', 'Pleural Other', 'Fracture',
  'Support Devices',
] as const;

/** The 5 competition labels in the study's order (study.md; also the column order of MED-PEFT's split lists). */
export const CHEXPERT_COMPETITION_LABELS = ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion'] as const;

/** What an uncertain (-1) cell becomes: U-Ones -> 1, U-Zeros -> 0, U-Ignore -> -1 (masked in loss and AUROC). */
export type UncertainPolicy = 'ones' | 'zeros' | 'ignore';

/**
 * The study's mapping (U-Ones for Atelectasis, Edema, Pleural Effusion; U-Zeros for Cardiomegaly, Consolidation),
 * the best per-label choice in the CheXpert paper. It reproduces MED-PEFT's train_1/train_10 labels exactly.
 * Labels outside the five have no study mapping: they default to U-Ignore so no guess enters loss or AUROC.
 */
export const STUDY_UNCERTAIN_POLICY: Readonly<Record<string, UncertainPolicy>> = {
  Atelectasis: 'ones',
  Cardiomegaly: 'zeros',
  Consolidation: 'zeros',
  Edema: 'ones',
  'Pleural Effusion': 'ones',
};

const DEFAULT_POLICY_OUTSIDE_STUDY: UncertainPolicy = 'ignore';

export interface ChexpertOptions {
  /** '5' = competition labels (default), '14' = all observations. */
  labels?: '5' | '14';
  /** Per-label override of STUDY_UNCERTAIN_POLICY, by label name. */
  uncertain?: Partial<Record<string, UncertainPolicy>>;
  /** Keep only rows whose `Frontal/Lateral` is "Frontal". */
  frontalOnly?: boolean;
}

export function chexpertLabelNames(options: ChexpertOptions = {}): string[] {
  return options.labels === '14' ? [...CHEXPERT_ALL_LABELS] : [...CHEXPERT_COMPETITION_LABELS];
}

export function uncertainPolicyFor(label: string, options: ChexpertOptions = {}): UncertainPolicy {
  return options.uncertain?.[label] ?? STUDY_UNCERTAIN_POLICY[label] ?? DEFAULT_POLICY_OUTSIDE_STUDY;
}

export const GENERIC_CSV_ID = 'generic-csv';

export interface GenericCsvOptions {
  /** Which CSV of the drop (path as dropped); needed only when there are several. */
  csvPath?: string;
  pathColumn?: string;
  /** Binary label columns; each becomes one label named after its column. */
  labelColumns?: string[];
  /** Alternatively one column listing findings, e.g. "Cardiomegaly|Effusion". */
  labelListColumn?: string;
  labelSeparator?: string;
  /** For labelListColumn: the label names in order (default: every finding seen, sorted). Others are problems. */
  labelNames?: string[];
  /** For labelListColumn: the value meaning "no label positive" (default "No Finding"). */
  noneLabel?: string;
  patientColumn?: string;
  splitColumn?: string;
}

export interface ColumnSuggestion {
  pathColumn?: string;
  labelColumns: string[];
  labelListColumn?: string;
  patientColumn?: string;
  splitColumn?: string;
}

export const SPLIT_FILES_ID = 'split-files';

export type TrainListName = 'train_1' | 'train_10' | 'train_list';

export type CsvRow = Record<string, string>;

/** The first rows and the guessed column roles of one CSV of a dropped folder. */
export interface CsvPreview {
  path: string;
  header: string[];
  sample: CsvRow[];
  suggestion: ColumnSuggestion;
  /** Why the CSV could not be read (then header and sample are empty). */
  error?: string;
}
