/**
 * The known dataset layouts and how one is picked for a dropped folder: every parser scores the path list
 * (cheap, no file reads) and the highest score wins.
 */
import type { LayoutParser, ParsedDataset } from '../types';
import { isIgnoredPath } from '../fileSource';
import { chexpertLayout } from './chexpert';
import { classFoldersLayout } from './classFolders';
import { genericCsvLayout } from './genericCsv';
import { nihLayout } from './nih';
import { rsnaLayout } from './rsna';
import { splitFilesLayout } from './splitFiles';
import type { FileEntry } from '../../run/datasets';

/** Order matters only for ties (the earlier parser wins). Scores: split files 11, CheXpert/RSNA 10, generic CSV 1. */
export const LAYOUTS: LayoutParser[] = [splitFilesLayout, nihLayout, chexpertLayout, rsnaLayout, classFoldersLayout, genericCsvLayout];

export function detectLayout(paths: string[], layouts: LayoutParser[] = LAYOUTS): LayoutParser | null {
  let best: LayoutParser | null = null;
  let bestScore = 0;
  for (const layout of layouts) {
    const score = layout.detect(paths);
    if (score > bestScore) {
      best = layout;
      bestScore = score;
    }
  }
  return best;
}

export interface ParseOptions {
  /** Force a layout by id instead of detecting it. */
  layout?: string;
  /** Passed to the parser (e.g. `seed` for NIH's val carve-out, DATA-STUDY's label policies). */
  parserOptions?: Record<string, unknown>;
  layouts?: LayoutParser[];
}

export async function parseDataset(files: FileEntry[], options: ParseOptions = {}): Promise<ParsedDataset> {
  const layouts = options.layouts ?? LAYOUTS;
  const kept = files.filter((f) => !isIgnoredPath(f.path));
  let layout: LayoutParser | null;
  if (options.layout !== undefined) {
    layout = layouts.find((l) => l.id === options.layout) ?? null;
    if (!layout) throw new Error(`Unknown dataset layout '${options.layout}' (known: ${layouts.map((l) => l.id).join(', ')})`);
  } else {
    layout = detectLayout(kept.map((f) => f.path), layouts);
  }
  if (!layout) {
    throw new Error(
      `No known dataset layout found among ${kept.length} files. Expected one of: ${layouts.map((l) => l.name).join('; ')} ` +
        '(e.g. train/NORMAL/*.png + train/PNEUMONIA/*.png, or Data_Entry_2017.csv + PNG images).',
    );
  }
  return layout.parse(kept, options.parserOptions);
}

/** The layout id the ingest would detect for these paths (undefined: none fits); hidden and system files left out. */
export function detectLayoutId(paths: readonly string[]): string | undefined {
  return detectLayout(paths.filter((p) => !isIgnoredPath(p)))?.id;
}
