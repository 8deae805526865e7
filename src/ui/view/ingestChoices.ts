/**
 * The dataset panel's per-layout ingest choices (issue 4) and the parser options they become: CheXpert's label
 * set, uncertain-label policy and frontal-only switch (src/data/layouts/chexpert.ts), the generic CSV's columns
 * (src/data/layouts/genericCsv.ts), which of the study's training lists to use (src/data/layouts/splitFiles.ts) and
 * the label fraction of the training split (src/data/ingest.ts trainFraction).
 * Pure; tested in tests/ui/ingestChoices.test.ts.
 */
import {
  CHEXPERT_ID,
  chexpertLabelNames,
  GENERIC_CSV_ID,
  SPLIT_FILES_ID,
  uncertainPolicyFor,
  type ChexpertOptions,
  type CsvPreview,
  type GenericCsvOptions,
  type UncertainPolicy,
} from '../../run/layoutOptions';

export const UNCERTAIN_POLICY_TEXT: Record<UncertainPolicy, string> = { ones: 'U-Ones', zeros: 'U-Zeros', ignore: 'U-Ignore' };

export interface ChexpertChoice {
  labels: '5' | '14';
  /** Overrides by label; a label not listed keeps the study's default. */
  uncertain: Partial<Record<string, UncertainPolicy>>;
  frontalOnly: boolean;
}

export function defaultChexpertChoice(): ChexpertChoice {
  return { labels: '5', uncertain: {}, frontalOnly: false };
}

export interface UncertainRow {
  label: string;
  policy: UncertainPolicy;
  /** The study's mapping for this label (U-Ignore for labels outside the competition five). */
  studyDefault: UncertainPolicy;
}

export function uncertainRows(choice: ChexpertChoice): UncertainRow[] {
  return chexpertLabelNames({ labels: choice.labels }).map((label) => ({
    label,
    policy: uncertainPolicyFor(label, { uncertain: choice.uncertain }),
    studyDefault: uncertainPolicyFor(label),
  }));
}

/** Only what differs from the parser's defaults goes in, so the parser's note names the study's mapping as such. */
export function chexpertParserOptions(choice: ChexpertChoice): ChexpertOptions {
  const options: ChexpertOptions = { labels: choice.labels };
  const overrides: Partial<Record<string, UncertainPolicy>> = {};
  for (const row of uncertainRows(choice)) if (row.policy !== row.studyDefault) overrides[row.label] = row.policy;
  if (Object.keys(overrides).length > 0) options.uncertain = overrides;
  if (choice.frontalOnly) options.frontalOnly = true;
  return options;
}

export type LabelMode = 'columns' | 'list';

/** The user's column roles for a generic CSV; '' means "none". */
export interface GenericCsvChoice {
  csvPath: string;
  pathColumn: string;
  labelMode: LabelMode;
  labelColumns: string[];
  labelListColumn: string;
  patientColumn: string;
  splitColumn: string;
}

export function choiceFromPreview(preview: CsvPreview): GenericCsvChoice {
  const s = preview.suggestion;
  return {
    csvPath: preview.path,
    pathColumn: s.pathColumn ?? '',
    labelMode: s.labelListColumn && s.labelColumns.length === 0 ? 'list' : 'columns',
    labelColumns: [...s.labelColumns],
    labelListColumn: s.labelListColumn ?? '',
    patientColumn: s.patientColumn ?? '',
    splitColumn: s.splitColumn ?? '',
  };
}

/** What blocks "Ingest with these columns"; empty when the choice can be parsed. */
export function genericCsvProblems(choice: GenericCsvChoice, preview: CsvPreview | undefined): string[] {
  if (!preview) return ['Choose a CSV file.'];
  if (preview.error) return [preview.error];
  const out: string[] = [];
  if (!choice.pathColumn) out.push('Choose the column that holds the image paths.');
  if (choice.labelMode === 'columns') {
    if (choice.labelColumns.length === 0) out.push('Choose at least one label column.');
    if (choice.labelColumns.includes(choice.pathColumn)) out.push('The image path column cannot also be a label column.');
  } else if (!choice.labelListColumn) {
    out.push('Choose the column that lists the findings.');
  }
  return out;
}

export function genericCsvParserOptions(choice: GenericCsvChoice): GenericCsvOptions {
  const options: GenericCsvOptions = { csvPath: choice.csvPath, pathColumn: choice.pathColumn };
  if (choice.labelMode === 'columns') options.labelColumns = [...choice.labelColumns];
  else options.labelListColumn = choice.labelListColumn;
  if (choice.patientColumn) options.patientColumn = choice.patientColumn;
  if (choice.splitColumn) options.splitColumn = choice.splitColumn;
  return options;
}

/** The study's label fractions (1 %, 10 %, 100 % of the training split) or any other percentage. */
export type FractionChoice = '1' | '10' | '100' | 'custom';

/** The share of the training split to ingest, in (0, 1]; undefined for a custom percentage outside (0, 100]. */
export function trainFractionOf(choice: FractionChoice, customPercent: number): number | undefined {
  const percent = choice === 'custom' ? customPercent : Number(choice);
  return percent > 0 && percent <= 100 ? percent / 100 : undefined;
}

/** Which of the study's training lists (train_1 = 1 %, train_10 = 10 %, train_list = 100 %) a drop uses. */
export type StudyTrainList = 'largest' | 'train_1' | 'train_10' | 'train_list';

/** Parser options by layout id, for the layout the ingest ends up using (the bridge picks the matching entry). */
export type ParserOptionsByLayout = Record<string, Record<string, unknown>>;

export function parserOptionsByLayout(
  chexpert: ChexpertChoice,
  studyTrainList: StudyTrainList,
  genericCsv?: GenericCsvChoice,
): ParserOptionsByLayout {
  const out: ParserOptionsByLayout = { [CHEXPERT_ID]: { ...chexpertParserOptions(chexpert) } };
  if (studyTrainList !== 'largest') out[SPLIT_FILES_ID] = { train: studyTrainList };
  if (genericCsv) out[GENERIC_CSV_ID] = { ...genericCsvParserOptions(genericCsv) };
  return out;
}
